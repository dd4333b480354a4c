import { revokeAuthorization } from '../heroku/authorizations';
import type { HerokuClient } from '../heroku/client';
import { removeIntegrationSshKey } from '../fir/integration-ssh-key';
import { findIntegration } from '../integrations/integration-store';
import { IntegrationNotFoundError } from '../integrations/lifecycle-lease';
import type { ActivityDeps } from './deps';
import { heartbeating } from './heartbeating';
import { asReconnectNeeded, findIntegrationAuthorizationId, isPermanentHerokuError } from './integration-support';

export type RevokeOutcome = 'revoked' | 'already_revoked' | 'not_found' | 'failed';

/** The disconnect steps around webhook removal: mark, revoke, erase. */
export function createIntegrationDisconnectActivities(deps: ActivityDeps, heroku: (integrationId: string) => HerokuClient) {
  const { db } = deps;

  return {
    /**
     * Any status → disconnecting, and every app becomes "webhook to delete". A running install
     * or sync sees this at its next app and stops creating webhooks even before it is cancelled.
     */
    async beginDisconnect(input: { integrationId: string }): Promise<void> {
      await db.transaction(async (trx) => {
        const row = await trx('integrations').where({ id: input.integrationId }).forUpdate().first('id');
        if (!row) throw new IntegrationNotFoundError(`No integration ${input.integrationId}`);
        await trx('integrations').where({ id: input.integrationId }).update({ status: 'disconnecting', status_reason: null, updated_at: trx.fn.now() });
        await trx('integration_apps')
          .where({ integration_id: input.integrationId })
          .update({ desired: false, status: 'removing', updated_at: trx.fn.now() });
      });
    },

    /**
     * Revokes the OAuth authorization behind our tokens, so they die at Heroku too. Without
     * tokens, or with tokens Heroku already refuses, there is nothing left to revoke.
     */
    async revokeHerokuAuthorization(input: { integrationId: string }): Promise<RevokeOutcome> {
      const { integrationId } = input;
      const row = await findIntegration(db, integrationId);
      if (!row?.access_token_sealed || !row.refresh_token_sealed) {
        await db('integration_ssh_keys').where({ integration_id: integrationId }).delete();
        return 'already_revoked';
      }
      const client = heroku(integrationId);
      // The SSH key of Fir runs leaves the account while the tokens still work (README "On Fir").
      await removeIntegrationSshKey(db, client, integrationId).catch(async (err: unknown) => {
        deps.logger.warn({ integrationId, err: err instanceof Error ? err.message : String(err) }, "cannot remove dynopulse's SSH key from the Heroku account");
        await db('integration_ssh_keys').where({ integration_id: integrationId }).delete();
      });
      try {
        return await heartbeating(async () => {
          const authorizationId =
            row.heroku_authorization_id ?? (row.heroku_account_id ? await findIntegrationAuthorizationId(deps, client, row, row.heroku_account_id) : undefined);
          if (!authorizationId) return 'not_found';
          await revokeAuthorization(client, authorizationId);
          return 'revoked';
        });
      } catch (err) {
        if (await asReconnectNeeded(deps, integrationId, err)) return 'already_revoked';
        if (!isPermanentHerokuError(err)) throw err;
        deps.logger.warn({ integrationId, status: err.status, herokuErrorId: err.id }, 'cannot revoke the Heroku authorization');
        return 'failed';
      }
    },

    /**
     * Erases tokens and webhook secrets and ends in `disconnected`. Apps whose webhook could not
     * be deleted stay listed (`removing`, with the reason) so an admin can remove them by hand.
     */
    async finishDisconnect(input: { integrationId: string; notDeletedReason: string | null; revoke: RevokeOutcome }): Promise<{ webhooksLeft: number }> {
      return db.transaction(async (trx) => {
        const left = await trx('integration_apps').where({ integration_id: input.integrationId });
        if (input.notDeletedReason !== null) {
          await trx('integration_apps')
            .where({ integration_id: input.integrationId })
            .whereNull('last_error')
            .update({ last_error: `webhook not deleted: ${input.notDeletedReason}` });
        }
        await trx('integration_apps').where({ integration_id: input.integrationId }).update({ webhook_secret_sealed: null, updated_at: trx.fn.now() });
        const notes = [
          ...(left.length > 0 ? [`${left.length} webhook(s) could not be deleted; remove them in Heroku`] : []),
          ...(input.revoke === 'failed' || input.revoke === 'not_found' ? ['the Heroku authorization could not be revoked; revoke it in the Heroku Dashboard'] : []),
        ];
        await trx('integrations')
          .where({ id: input.integrationId })
          .update({
            status: 'disconnected',
            status_reason: notes.length > 0 ? notes.join('; ') : null,
            access_token_sealed: null,
            refresh_token_sealed: null,
            token_expires_at: null,
            updated_at: trx.fn.now(),
          });
        if (notes.length > 0) deps.logger.warn({ integrationId: input.integrationId, notes }, 'Heroku integration disconnected with leftovers');
        return { webhooksLeft: left.length };
      });
    },
  };
}
