import type { Db } from '../db/knex';

/** What the receiver needs to know about the integration and app a delivery names. */
export interface WebhookTarget {
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
    .first('i.status', 'a.app_name', 'a.desired', 'a.webhook_secret_sealed')) as
    | { status: string; app_name: string | null; desired: boolean | null; webhook_secret_sealed: string | null }
    | undefined;
  if (!row) return undefined;
  return {
    status: row.status,
    app: row.app_name === null ? null : { desired: row.desired === true, secretSealed: row.webhook_secret_sealed },
  };
}

/**
 * Opened webhook secrets of the (integration, app) pairs this process accepted deliveries for, so
 * the hot path needs no lookup query. Safe because recordEvent re-checks, in its own statement,
 * that the sealed secret is still current, the app monitored and the integration not
 * disconnected; any mismatch falls back to a fresh lookup. Bounded (oldest entries go first);
 * the clear-text secrets never leave process memory.
 */
export class WebhookSecretCache {
  private readonly entries = new Map<string, { sealed: string; secret: string }>();

  constructor(private readonly maxEntries = 10_000) {}

  get(integrationId: string, appName: string): { sealed: string; secret: string } | undefined {
    return this.entries.get(key(integrationId, appName));
  }

  set(integrationId: string, appName: string, value: { sealed: string; secret: string }): void {
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(key(integrationId, appName), value);
  }

  delete(integrationId: string, appName: string): void {
    this.entries.delete(key(integrationId, appName));
  }
}

// Integration ids are validated UUIDs, so the first "/" ends them: keys cannot collide.
const key = (integrationId: string, appName: string) => `${integrationId}/${appName}`;
