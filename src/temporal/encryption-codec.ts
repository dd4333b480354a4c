import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { METADATA_ENCODING_KEY, ValueError, type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { keyIdOf } from '../crypto/secret-box';

const ENCODING = 'binary/encrypted';
export const METADATA_KEY_ID = 'encryption-key-id';

/**
 * Encrypts every Temporal payload (inputs, results, heartbeat details, memos, encoded failure
 * messages) with AES-256-GCM. Only `encoding` and the key id stay readable, so the server and
 * anyone reading its database see ciphertext; SREs decode through the API's codec endpoint.
 * Payloads sealed with a previous key still decode while that key is listed (rotation).
 */
export class EncryptionCodec implements PayloadCodec {
  private readonly keys = new Map<string, Buffer>();
  readonly keyId: string;

  constructor(
    private readonly key: Buffer,
    previousKeys: Buffer[] = [],
  ) {
    this.keyId = keyIdOf(key);
    for (const k of [key, ...previousKeys]) this.keys.set(keyIdOf(k), k);
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', this.key, iv);
      const clear = temporal.api.common.v1.Payload.encode(payload).finish();
      const ct = Buffer.concat([cipher.update(clear), cipher.final()]);
      return {
        metadata: { [METADATA_ENCODING_KEY]: Buffer.from(ENCODING), [METADATA_KEY_ID]: Buffer.from(this.keyId) },
        data: Buffer.concat([iv, cipher.getAuthTag(), ct]),
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
      if (!encoding || Buffer.from(encoding).toString() !== ENCODING) return payload;
      const keyIdBytes = payload.metadata?.[METADATA_KEY_ID];
      const keyId = keyIdBytes ? Buffer.from(keyIdBytes).toString() : '';
      const key = this.keys.get(keyId);
      if (!key) throw new ValueError(`Payload encrypted with unknown key id "${keyId}"; add that key to ENCRYPTION_PREVIOUS_KEYS`);
      if (!payload.data || payload.data.length < 28) throw new ValueError('Encrypted payload is truncated');
      const data = Buffer.from(payload.data);
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, 12));
      decipher.setAuthTag(data.subarray(12, 28));
      const clear = Buffer.concat([decipher.update(data.subarray(28)), decipher.final()]);
      return temporal.api.common.v1.Payload.decode(clear);
    });
  }
}
