import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * AES-256-GCM for secrets at rest (OAuth tokens, webhook secrets). The sealed form names the key
 * it was sealed with, so a key can be rotated: keep the old key in `previousKeys` until re-sealed.
 *
 *   v1.<keyId>.<base64url(iv | tag | ciphertext)>
 */
export class SecretBox {
  private readonly keys = new Map<string, Buffer>();
  readonly keyId: string;

  constructor(
    private readonly key: Buffer,
    previousKeys: Buffer[] = [],
  ) {
    if (key.length !== 32) throw new Error('SecretBox key must be 32 bytes');
    this.keyId = keyIdOf(key);
    for (const k of [key, ...previousKeys]) this.keys.set(keyIdOf(k), k);
  }

  /** `aad` binds the ciphertext to its row/column so a sealed value cannot be swapped into another row. */
  seal(plaintext: string, aad = ''): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(aad, 'utf8'));
    const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return `v1.${this.keyId}.${Buffer.concat([iv, cipher.getAuthTag(), ct]).toString('base64url')}`;
  }

  open(sealed: string, aad = ''): string {
    const [version, keyId, body] = sealed.split('.');
    if (version !== 'v1' || keyId === undefined || body === undefined) throw new Error('Not a sealed secret');
    const key = this.keys.get(keyId);
    if (key === undefined) throw new Error(`Secret sealed with unknown key ${keyId}`);
    const raw = Buffer.from(body, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  }
}

/** A short, non-secret fingerprint of a key (first 8 hex chars of its SHA-256). */
export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}
