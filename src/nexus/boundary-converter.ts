import type { DataConverter, Payload, PayloadCodec } from '@temporalio/common';
import { EncryptionCodec } from '../temporal/encryption-codec';

/**
 * A caller in another namespace cannot hold our ENCRYPTION_KEY, so what crosses the Nexus
 * boundary (operation inputs and results, the wrapper workflow's history on the Nexus task queue)
 * is left in clear, as the caller's own history has it. Inside, the run itself stays encrypted:
 * this codec still decrypts what the run's workers wrote (the child's result), it only never
 * encrypts.
 */
class DecryptOnlyCodec implements PayloadCodec {
  constructor(private readonly codec: EncryptionCodec) {}

  encode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.resolve(payloads);
  }

  decode(payloads: Payload[]): Promise<Payload[]> {
    return this.codec.decode(payloads);
  }
}

/** The data converter of the Nexus worker; failures use the SDK's default converter (messages in clear). */
export function createBoundaryDataConverter(encryptionKey: Buffer, previousKeys: Buffer[] = []): DataConverter {
  return { payloadCodecs: [new DecryptOnlyCodec(new EncryptionCodec(encryptionKey, previousKeys))] };
}
