import { accessTokenAad, refreshTokenAad } from '../crypto/aad';
import type { SecretBox } from '../crypto/secret-box';
import type { Db } from '../db/knex';
import type { AccessTokenSource } from './client';
import { OAuthGrantRejectedError, refreshTokens, type OAuthClientConfig, type OAuthTokens } from './oauth';

/** The integration cannot call Heroku until an admin reconnects it (refresh refused, authorization revoked). */
export class ReconnectNeededError extends Error {
  override name = 'ReconnectNeededError';
}

/** Refresh a little before expiry so no call races the 8-hour deadline. */
const REFRESH_MARGIN_MS = 5 * 60_000;


export async function storeTokens(db: Db, box: SecretBox, integrationId: string, tokens: OAuthTokens): Promise<void> {
  await db('integrations')
    .where({ id: integrationId })
    .update({
      access_token_sealed: box.seal(tokens.accessToken, accessTokenAad(integrationId)),
      refresh_token_sealed: box.seal(tokens.refreshToken, refreshTokenAad(integrationId)),
      token_expires_at: tokens.expiresAt,
      updated_at: db.fn.now(),
    });
}

/**
 * Access tokens of one integration, refreshed before expiry and after a 401. Refreshes are
 * serialized with a row lock (`FOR UPDATE`) across every worker process, and a caller whose
 * rejected token was already replaced simply gets the new one: the newest refresh token is
 * always the one stored.
 */
export function integrationTokenSource(deps: { db: Db; box: SecretBox; oauth: OAuthClientConfig }, integrationId: string): AccessTokenSource {
  const { db, box } = deps;

  async function refreshUnderLock(rejected: string | undefined): Promise<string> {
    try {
      return await db.transaction(async (trx) => {
        const row = await trx('integrations').where({ id: integrationId }).forUpdate().first();
        if (!row?.access_token_sealed || !row.refresh_token_sealed) throw new ReconnectNeededError('reconnect needed: the integration has no Heroku tokens');
        const current = box.open(row.access_token_sealed, accessTokenAad(integrationId));
        const fresh = row.token_expires_at && new Date(row.token_expires_at).getTime() - REFRESH_MARGIN_MS > Date.now();
        // Someone refreshed while we waited for the lock.
        if (rejected !== undefined ? current !== rejected : fresh) return current;
        const tokens = await refreshTokens(deps.oauth, box.open(row.refresh_token_sealed, refreshTokenAad(integrationId)));
        await storeTokens(trx, box, integrationId, tokens);
        return tokens.accessToken;
      });
    } catch (err) {
      if (!(err instanceof OAuthGrantRejectedError)) throw err;
      // Outside the (rolled back) transaction, so the status sticks.
      const reason = `reconnect needed: ${err.message}`;
      await db('integrations').where({ id: integrationId }).update({ status: 'error', status_reason: reason, updated_at: db.fn.now() });
      throw new ReconnectNeededError(reason);
    }
  }

  return {
    async get() {
      const row = await db('integrations').where({ id: integrationId }).first('access_token_sealed', 'token_expires_at', 'status');
      if (!row?.access_token_sealed) throw new ReconnectNeededError('reconnect needed: the integration has no Heroku tokens');
      const expiresAt = row.token_expires_at ? new Date(row.token_expires_at).getTime() : 0;
      if (expiresAt - REFRESH_MARGIN_MS > Date.now()) return box.open(row.access_token_sealed, accessTokenAad(integrationId));
      return refreshUnderLock(undefined);
    },
    refresh: (rejectedToken) => refreshUnderLock(rejectedToken),
  };
}
