import { accessTokenAad, refreshTokenAad } from '../crypto/aad';
import { findOwnAuthorizationId } from '../heroku/authorizations';
import { HerokuApiError, type HerokuClient } from '../heroku/client';
import { ReconnectNeededError } from '../heroku/integration-tokens';
import { transitionStatus, type IntegrationRow } from '../integrations/integration-store';
import { RECONNECT_NEEDED } from '../integrations/model';
import type { ActivityDeps } from './deps';

// What the integration activities share: Heroku clients and the "reconnect needed" rule.

/**
 * One Platform API client per integration in this worker process, so that concurrent activities
 * share its view of RateLimit-Remaining and its pacing (the budget is per account).
 */
export function herokuClients(deps: ActivityDeps): (integrationId: string) => HerokuClient {
  const clients = new Map<string, HerokuClient>();
  return (integrationId) => {
    let client = clients.get(integrationId);
    if (!client) {
      client = deps.herokuFor(integrationId);
      clients.set(integrationId, client);
    }
    return client;
  };
}

/**
 * Heroku failures that mean "the grant is dead" become ReconnectNeededError (not retried): the
 * integration gets `status=error` with a "reconnect needed" reason, and the logs say so.
 * Anything else is returned for the caller to handle.
 */
export async function asReconnectNeeded(deps: ActivityDeps, integrationId: string, err: unknown): Promise<ReconnectNeededError | undefined> {
  let reconnect: ReconnectNeededError | undefined;
  if (err instanceof ReconnectNeededError) {
    reconnect = err; // the token source already recorded it when Heroku refused a refresh
  } else if (err instanceof HerokuApiError && err.status === 401) {
    const reason = `${RECONNECT_NEEDED}: Heroku rejected the integration's token even after a refresh (${err.id})`;
    await transitionStatus(deps.db, integrationId, ['pending', 'installing', 'connected', 'error'], 'error', reason);
    reconnect = new ReconnectNeededError(reason);
  }
  if (reconnect) deps.logger.error({ integrationId, reason: reconnect.message }, 'Heroku integration needs to be reconnected by an admin');
  return reconnect;
}

/** A 4xx other than 401/429: retrying the same request cannot help (unknown app, no access, 2FA, invalid params). */
export function isPermanentHerokuError(err: unknown): err is HerokuApiError {
  return err instanceof HerokuApiError && !err.retryable && err.status !== 401;
}

/** The OAuth authorization holding the integration's stored tokens (undefined without tokens or match). */
export async function findIntegrationAuthorizationId(deps: ActivityDeps, client: HerokuClient, row: IntegrationRow, accountId: string): Promise<string | undefined> {
  if (!row.access_token_sealed || !row.refresh_token_sealed) return undefined;
  return findOwnAuthorizationId(client, {
    clientId: deps.oauth().clientId,
    accountId,
    accessToken: deps.box.open(row.access_token_sealed, accessTokenAad(row.id)),
    refreshToken: deps.box.open(row.refresh_token_sealed, refreshTokenAad(row.id)),
  });
}
