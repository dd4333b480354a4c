import { getAccount } from '../heroku/account';
import { HerokuApiError, type HerokuClient } from '../heroku/client';
import { ReconnectNeededError, storeTokens } from '../heroku/integration-tokens';
import { exchangeCode, OAuthGrantRejectedError } from '../heroku/oauth';
import { findIntegration, transitionStatus } from '../integrations/integration-store';
import { IntegrationNotFoundError } from '../integrations/lifecycle-lease';
import { RECONNECT_NEEDED } from '../integrations/model';
import type { ActivityDeps } from './deps';
import { heartbeating } from './heartbeating';
import { asReconnectNeeded, findIntegrationAuthorizationId } from './integration-support';

/** The install steps before the webhooks: tokens, then the account behind them. */
export function createIntegrationInstallActivities(deps: ActivityDeps, heroku: (integrationId: string) => HerokuClient) {
  const { db, box } = deps;

  return {
    /**
     * Exchanges the OAuth code and stores both tokens sealed. Idempotent: a retry after the
     * tokens were stored does not spend the (single-use) code again. The code is never logged.
     */
    async exchangeInstallCode(input: { integrationId: string; code: string }): Promise<{ tokenExpiresAt: string }> {
      const row = await findIntegration(db, input.integrationId);
      if (!row) throw new IntegrationNotFoundError(`No integration ${input.integrationId}`);
      if (row.access_token_sealed && row.token_expires_at) return { tokenExpiresAt: new Date(row.token_expires_at).toISOString() };
      try {
        const tokens = await exchangeCode(deps.oauth(), input.code);
        await storeTokens(db, box, input.integrationId, tokens);
        return { tokenExpiresAt: tokens.expiresAt.toISOString() };
      } catch (err) {
        if (!(err instanceof OAuthGrantRejectedError)) throw err;
        const reason = `${RECONNECT_NEEDED}: ${err.message}; start the OAuth flow again`;
        await transitionStatus(db, input.integrationId, ['pending', 'installing'], 'error', reason);
        deps.logger.error({ integrationId: input.integrationId, reason }, 'Heroku refused the authorization code');
        throw new ReconnectNeededError(reason);
      }
    },

    /**
     * Records which Heroku account installed (GET /account) and which OAuth authorization holds
     * our tokens, so disconnect can revoke it. Finding the authorization needs the `global` scope;
     * without it disconnect looks again and, failing that, says so.
     */
    async recordHerokuAccount(input: { integrationId: string }): Promise<{ accountId: string; authorizationFound: boolean }> {
      const { integrationId } = input;
      const client = heroku(integrationId);
      try {
        return await heartbeating(async () => {
          const account = await getAccount(client);
          const row = await findIntegration(db, integrationId);
          let authorizationId = row?.heroku_authorization_id ?? undefined;
          if (!authorizationId && row) {
            try {
              authorizationId = await findIntegrationAuthorizationId(deps, client, row, account.id);
            } catch (err) {
              if (!(err instanceof HerokuApiError) || err.status !== 403) throw err;
              deps.logger.warn({ integrationId, herokuErrorId: err.id }, 'cannot list OAuth authorizations (scope too narrow); disconnect will not be able to revoke');
            }
          }
          await db('integrations')
            .where({ id: integrationId })
            .update({
              heroku_account_id: account.id,
              heroku_account_email: account.email,
              heroku_authorization_id: authorizationId ?? null,
              updated_at: db.fn.now(),
            });
          return { accountId: account.id, authorizationFound: authorizationId !== undefined };
        });
      } catch (err) {
        throw (await asReconnectNeeded(deps, integrationId, err)) ?? err;
      }
    },
  };
}
