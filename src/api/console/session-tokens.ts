import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The secrets of a console session, all derived from the one random token in the cookie:
 * - the row id is its SHA-256 (the database never holds the token itself);
 * - the CSRF token is an HMAC of it, so it needs no storage and dies with the session;
 * - the admin-token binding is an HMAC of the admin token keyed by it, so a session only
 *   lives as long as the admin token it was opened with.
 */
export const newSessionToken = (): string => randomBytes(32).toString('base64url');

export const sessionIdOf = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

export const csrfTokenOf = (token: string): string => createHmac('sha256', token).update('dynopulse console csrf v1', 'utf8').digest('base64url');

export const adminTokenBinding = (token: string, adminApiToken: string): string =>
  createHmac('sha256', token).update(`dynopulse console admin token v1:${adminApiToken}`, 'utf8').digest('hex');

/** Constant-time string comparison (through digests, so lengths leak nothing either). */
export function sameSecret(a: string, b: string): boolean {
  const digest = (v: string) => createHash('sha256').update(v, 'utf8').digest();
  return timingSafeEqual(digest(a), digest(b));
}
