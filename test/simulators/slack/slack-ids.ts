import { randomBytes } from 'node:crypto';

// Slack object IDs are a type letter followed by upper-case alphanumerics (for example
// `F044GKUHN9Z` for a file, slack-liquid.md A3). The simulator mints the same shape so a client
// that validates or logs IDs sees realistic values.
const ID_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** Returns a fresh ID such as `F0A1B2C3D4E` for the given type letter. */
export function mintSlackId(typeLetter: string, length = 10): string {
  const bytes = randomBytes(length);
  let id = typeLetter;
  for (const byte of bytes) id += ID_ALPHABET[byte % ID_ALPHABET.length];
  return id;
}

/** Returns an unguessable URL-safe token, used as the opaque part of upload URLs. */
export function mintOpaqueToken(bytes = 24): string {
  return randomBytes(bytes).toString('base64url');
}
