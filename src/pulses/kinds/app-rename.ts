import { webhookSecretAad } from '../../crypto/aad';
import type { SecretBox } from '../../crypto/secret-box';
import type { Db } from '../../db/knex';
import type { AppRename } from '../pulse-draft';
import { verifyHerokuSignature } from '../webhook-signature';

/**
 * Follows an app rename (an `api:app` update whose name changed): deliveries now name the app by
 * its new name, so the watched app row moves to it (its webhook secret re-sealed for the new
 * name) and the org's services whose Heroku App Name was the old name now carry the new one, so
 * pulses keep linking to them. Done only for a delivery signed with the secret of the app's row
 * under its old name (the same proof the receiver asks of any delivery), in one transaction, and
 * idempotent: a redelivery finds the row already moved and changes nothing.
 */
export async function followAppRename(
  db: Db,
  box: SecretBox,
  input: { integrationId: string; rename: AppRename; rawBody: Buffer; signature: string | undefined },
): Promise<'followed' | 'not_applicable'> {
  const { integrationId, rename } = input;
  return db.transaction(async (trx) => {
    const integration = (await trx('integrations').where({ id: integrationId }).whereNot({ status: 'disconnected' }).forUpdate().first('org_id')) as
      | { org_id: string }
      | undefined;
    if (!integration) return 'not_applicable';
    const row = (await trx('integration_apps').where({ integration_id: integrationId, app_name: rename.from, desired: true }).forUpdate().first()) as
      | { heroku_app_id: string | null; webhook_secret_sealed: string | null }
      | undefined;
    if (!row || row.webhook_secret_sealed === null) return 'not_applicable';
    if (row.heroku_app_id !== null && row.heroku_app_id !== rename.appId) return 'not_applicable';
    const taken = await trx('integration_apps').where({ integration_id: integrationId, app_name: rename.to }).first('app_name');
    if (taken) return 'not_applicable';
    const secret = box.open(row.webhook_secret_sealed, webhookSecretAad(integrationId, rename.from));
    if (!verifyHerokuSignature(secret, input.rawBody, input.signature)) return 'not_applicable';
    await trx('integration_apps')
      .where({ integration_id: integrationId, app_name: rename.from })
      .update({
        app_name: rename.to,
        heroku_app_id: rename.appId,
        webhook_secret_sealed: box.seal(secret, webhookSecretAad(integrationId, rename.to)),
        updated_at: trx.fn.now(),
      });
    await trx('services').where({ org_id: integration.org_id, heroku_app_name: rename.from }).update({ heroku_app_name: rename.to, updated_at: trx.fn.now() });
    return 'followed';
  });
}
