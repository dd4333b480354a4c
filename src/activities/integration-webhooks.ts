import { randomBytes } from 'node:crypto';
import { webhookSecretAad } from '../crypto/aad';
import { HerokuApiError, type HerokuClient } from '../heroku/client';
import {
  createAppWebhook,
  deleteAppWebhook,
  hasOurSettings,
  listAppWebhooks,
  updateAppWebhook,
  webhookUrl,
  type AppWebhook,
} from '../heroku/webhooks';
import { appRows, type IntegrationAppRow } from '../integrations/integration-store';
import type { ActivityDeps } from './deps';
import { heartbeating } from './heartbeating';
import { asReconnectNeeded, isPermanentHerokuError } from './integration-support';

export interface AppRef {
  integrationId: string;
  appName: string;
}

/** What one app's sync did; small on purpose (it lands in workflow history). */
export type AppSyncOutcome = 'created' | 'updated' | 'unchanged' | 'error' | 'skipped';
export type AppRemovalOutcome = 'removed' | 'failed' | 'skipped';

/** Keeps exactly one webhook of ours on each wanted app, and none on the others. */
export function createIntegrationWebhookActivities(deps: ActivityDeps, heroku: (integrationId: string) => HerokuClient) {
  const { db, box, config } = deps;

  const appRow = async ({ integrationId, appName }: AppRef): Promise<IntegrationAppRow | undefined> =>
    (await db('integration_apps').where({ integration_id: integrationId, app_name: appName }).first()) as IntegrationAppRow | undefined;

  const appQuery = ({ integrationId, appName }: AppRef) => db('integration_apps').where({ integration_id: integrationId, app_name: appName });

  /** A fresh secret, sealed in the database BEFORE Heroku signs with it, so every delivery verifies. */
  async function newSecret(ref: AppRef): Promise<string> {
    const secret = randomBytes(32).toString('hex');
    await appQuery(ref).update({ webhook_secret_sealed: box.seal(secret, webhookSecretAad(ref.integrationId, ref.appName)), updated_at: db.fn.now() });
    return secret;
  }

  /** Our subscriptions on the app; duplicates beyond the one we keep are deleted. */
  async function ourWebhooks(client: HerokuClient, ref: AppRef): Promise<AppWebhook[]> {
    const url = webhookUrl(config.publicUrl, ref.integrationId);
    return (await listAppWebhooks(client, ref.appName)).filter((h) => h.url === url);
  }

  return {
    /** Every app row of the integration: wanted ones are synced, the others have their webhook removed. */
    async listIntegrationApps(input: { integrationId: string }): Promise<{ name: string; desired: boolean }[]> {
      return (await appRows(db, input.integrationId)).map((a) => ({ name: a.app_name, desired: a.desired }));
    },

    /**
     * Makes sure the app has exactly one webhook of ours (URL, entities, level `sync`, a secret we
     * hold). Idempotent: a subscription already pointing at our URL is reused, never duplicated,
     * so a retry after a lost response or a crashed worker creates nothing twice. A permanent
     * Heroku refusal (unknown app, no access, 2FA) marks this app `error` with Heroku's message.
     */
    async syncAppWebhook(ref: AppRef): Promise<AppSyncOutcome> {
      const row = await appRow(ref);
      if (!row?.desired) return 'skipped'; // taken off the list meanwhile
      if (row.status !== 'active') await appQuery(ref).where({ desired: true }).update({ status: 'syncing', updated_at: db.fn.now() });
      const client = heroku(ref.integrationId);
      const target = (secret: string) => ({ url: webhookUrl(config.publicUrl, ref.integrationId), secret });
      try {
        // Not aborted when cancelled: an aborted create may still be applied by Heroku, so a
        // cancelled workflow waits for this short step before anything else touches the integration.
        const { outcome, webhookId, appId } = await heartbeating(async () => {
          const ours = await ourWebhooks(client, ref);
          const keep = ours.find((h) => h.id === row.webhook_id) ?? ours[0];
          for (const extra of ours) if (extra !== keep) await deleteAppWebhook(client, ref.appName, extra.id);
          if (!keep) {
            const created = await createAppWebhook(client, ref.appName, target(await newSecret(ref)));
            return { outcome: 'created' as const, webhookId: created.id, appId: created.app?.id };
          }
          const known = keep.id === row.webhook_id && row.webhook_secret_sealed !== null;
          if (known && hasOurSettings(keep)) return { outcome: 'unchanged' as const, webhookId: keep.id, appId: keep.app?.id };
          // Someone else's settings, or a subscription we did not record: make it ours.
          const secret = known ? box.open(row.webhook_secret_sealed as string, webhookSecretAad(ref.integrationId, ref.appName)) : await newSecret(ref);
          const updated = await updateAppWebhook(client, ref.appName, keep.id, target(secret));
          return { outcome: 'updated' as const, webhookId: keep.id, appId: updated.app?.id ?? keep.app?.id };
        });
        await appQuery(ref).where({ desired: true }).update({
          status: 'active',
          webhook_id: webhookId,
          // The app id follows the app through renames (src/pulses/kinds/app-rename.ts).
          ...(appId === undefined ? {} : { heroku_app_id: appId }),
          last_error: null,
          updated_at: db.fn.now(),
        });
        return outcome;
      } catch (err) {
        const reconnect = await asReconnectNeeded(deps, ref.integrationId, err);
        if (reconnect) throw reconnect;
        if (!isPermanentHerokuError(err)) throw err; // 429/5xx/network: Temporal retries
        await appQuery(ref).where({ desired: true }).update({ status: 'error', last_error: err.herokuMessage, updated_at: db.fn.now() });
        deps.logger.warn({ integrationId: ref.integrationId, app: ref.appName, status: err.status, herokuErrorId: err.id }, 'cannot sync the webhook of this app');
        return 'error';
      }
    },

    /**
     * Deletes every webhook of ours on an app that is no longer wanted (404 counts as deleted; an
     * app that no longer exists has none), then forgets the app. A permanent refusal keeps the
     * row `removing` with Heroku's message, so a later sync or disconnect tries again.
     */
    async removeAppWebhook(ref: AppRef): Promise<AppRemovalOutcome> {
      const row = await appRow(ref);
      if (!row) return 'removed';
      if (row.desired) return 'skipped'; // listed again meanwhile
      const forget = () => appQuery(ref).where({ desired: false }).delete();
      // No secret was ever sealed for it, so no create or update was ever sent: nothing to delete.
      if (row.webhook_id === null && row.webhook_secret_sealed === null) {
        await forget();
        return 'removed';
      }
      const client = heroku(ref.integrationId);
      try {
        await heartbeating(async () => {
          let ours: AppWebhook[];
          try {
            ours = await ourWebhooks(client, ref);
          } catch (err) {
            if (err instanceof HerokuApiError && err.status === 404) return; // the app is gone, and its webhooks with it
            throw err;
          }
          for (const hook of ours) await deleteAppWebhook(client, ref.appName, hook.id);
        });
        await forget();
        return 'removed';
      } catch (err) {
        const reconnect = await asReconnectNeeded(deps, ref.integrationId, err);
        if (reconnect) throw reconnect;
        if (!isPermanentHerokuError(err)) throw err;
        await appQuery(ref).where({ desired: false }).update({ last_error: `webhook not deleted: ${err.herokuMessage}`, updated_at: db.fn.now() });
        deps.logger.warn({ integrationId: ref.integrationId, app: ref.appName, status: err.status, herokuErrorId: err.id }, 'cannot delete the webhook of this app');
        return 'failed';
      }
    },

    /** Records why an app could not be synced or cleaned up after every retry was spent. */
    async markAppFailed(input: AppRef & { message: string }): Promise<void> {
      const row = await appRow(input);
      if (!row) return;
      if (row.desired) {
        await appQuery(input).where({ desired: true }).update({ status: 'error', last_error: input.message, updated_at: db.fn.now() });
      } else {
        await appQuery(input).where({ desired: false }).update({ last_error: `webhook not deleted: ${input.message}`, updated_at: db.fn.now() });
      }
    },
  };
}
