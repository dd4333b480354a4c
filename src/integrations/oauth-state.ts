import { createHash, randomBytes } from 'node:crypto';

/** How long an authorize URL stays usable. */
export const OAUTH_STATE_TTL_MS = 10 * 60_000;

/** A fresh, unguessable `state` (256 bits, URL-safe). */
export function newOAuthState(): string {
  return randomBytes(32).toString('base64url');
}

/** What `oauth_states` stores: a database read never yields a usable state. */
export function hashOAuthState(state: string): string {
  return createHash('sha256').update(state, 'utf8').digest('hex');
}
