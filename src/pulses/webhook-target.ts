import type { Db } from '../db/knex';

/** What the receiver needs to know about the integration and app a delivery names. */
export interface WebhookTarget {
  orgId: string;
  /** Integration status (`connected`, `disconnected`, ...). */
  status: string;
  /** The app row, if the integration has one: `desired=false` means it is being removed. */
  app: { desired: boolean; secretSealed: string | null } | null;
}

/** One query: the integration and its row for `appName` (exact, case-sensitive name). */
export async function findWebhookTarget(db: Db, integrationId: string, appName: string): Promise<WebhookTarget | undefined> {
  const row = (await db('integrations as i')
    .leftJoin('integration_apps as a', (j) => j.on('a.integration_id', 'i.id').andOnVal('a.app_name', appName))
    .where('i.id', integrationId)
    .first('i.org_id', 'i.status', 'a.app_name', 'a.desired', 'a.webhook_secret_sealed')) as
    | { org_id: string; status: string; app_name: string | null; desired: boolean | null; webhook_secret_sealed: string | null }
    | undefined;
  if (!row) return undefined;
  return {
    orgId: row.org_id,
    status: row.status,
    app: row.app_name === null ? null : { desired: row.desired === true, secretSealed: row.webhook_secret_sealed },
  };
}
