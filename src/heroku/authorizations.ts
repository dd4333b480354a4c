import { z } from 'zod';
import { HerokuApiError, type HerokuClient } from './client';

// OAuth authorizations (heroku.md §2 "Revoke / uninstall"): the web token response carries no
// authorization id, so we find ours in GET /oauth/authorizations and revoke it on disconnect.

const tokenRef = z.object({ token: z.string().nullish() }).nullish();
const authorizationSchema = z.object({
  id: z.string().min(1),
  client: z.object({ id: z.string() }).nullish(),
  user: z.object({ id: z.string() }).nullish(),
  access_token: tokenRef,
  refresh_token: tokenRef,
  created_at: z.string().nullish(),
});
type Authorization = z.infer<typeof authorizationSchema>;

/**
 * The id of the authorization behind our tokens: the one holding our access or refresh token,
 * else the newest one of our OAuth client for this account. Undefined when none matches.
 */
export async function findOwnAuthorizationId(
  client: HerokuClient,
  ours: { clientId: string; accountId: string; accessToken: string; refreshToken: string },
): Promise<string | undefined> {
  const items = (await client.list<unknown>('/oauth/authorizations'))
    .map((item) => authorizationSchema.safeParse(item))
    .filter((p) => p.success)
    .map((p) => p.data);
  const holdsOurToken = (a: Authorization) => a.access_token?.token === ours.accessToken || a.refresh_token?.token === ours.refreshToken;
  const exact = items.find(holdsOurToken);
  if (exact) return exact.id;
  const sameClient = items
    .filter((a) => a.client?.id === ours.clientId && a.user?.id === ours.accountId)
    .sort((a, b) => (b.created_at ?? '').localeCompare(a.created_at ?? ''));
  return sameClient[0]?.id;
}

/** Revokes the authorization: its tokens die. Already revoked (404) counts as revoked. */
export async function revokeAuthorization(client: HerokuClient, authorizationId: string): Promise<void> {
  try {
    await client.delete(`/oauth/authorizations/${encodeURIComponent(authorizationId)}`);
  } catch (err) {
    if (err instanceof HerokuApiError && err.status === 404) return;
    throw err;
  }
}
