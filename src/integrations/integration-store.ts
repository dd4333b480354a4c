import { randomUUID } from 'node:crypto';
import type { Db, Knex } from '../db/knex';
import { CHANGE_KINDS, type ChangeKind } from '../pulses/kinds/change-kinds';
import type { AppStatus, IntegrationStatus } from './model';

// PostgreSQL access for integrations and their watched apps, shared by the API and activities.

export interface IntegrationRow {
  id: string;
  org_id: string;
  status: IntegrationStatus;
  status_reason: string | null;
  heroku_account_id: string | null;
  heroku_account_email: string | null;
  heroku_authorization_id: string | null;
  access_token_sealed: string | null;
  refresh_token_sealed: string | null;
  token_expires_at: Date | null;
  lifecycle_owner: string | null;
  watched_kinds: ChangeKind[];
}

export interface IntegrationAppRow {
  integration_id: string;
  app_name: string;
  desired: boolean;
  status: AppStatus;
  webhook_id: string | null;
  webhook_secret_sealed: string | null;
  last_error: string | null;
}

/** What `GET /api/integrations/heroku/:id` answers (CONTRACT §3, plus `statusReason`). */
export interface IntegrationView {
  id: string;
  orgId: string;
  status: IntegrationStatus;
  statusReason: string | null;
  account: { id: string | null; email: string | null };
  apps: { name: string; webhookId: string | null; status: AppStatus; lastError: string | null }[];
  tokenExpiresAt: string | null;
  /** Kinds of change that make pulses (README "Kinds of change"). */
  watchedKinds: ChangeKind[];
}

export async function findIntegration(db: Db | Knex.Transaction, id: string): Promise<IntegrationRow | undefined> {
  return (await db('integrations').where({ id }).first()) as IntegrationRow | undefined;
}

export async function appRows(db: Db | Knex.Transaction, integrationId: string): Promise<IntegrationAppRow[]> {
  return (await db('integration_apps').where({ integration_id: integrationId }).orderBy('app_name')) as IntegrationAppRow[];
}

/** A pending integration watching `apps`, with the hash of its single-use OAuth state. */
export async function createPendingIntegration(
  db: Db,
  input: { orgId: string; apps: string[]; watchedKinds?: readonly ChangeKind[] | undefined; stateHash: string; stateExpiresAt: Date },
): Promise<string> {
  const id = randomUUID();
  await db.transaction(async (trx) => {
    await trx('integrations').insert({ id, org_id: input.orgId, status: 'pending', watched_kinds: [...(input.watchedKinds ?? CHANGE_KINDS)] });
    if (input.apps.length > 0) {
      await trx('integration_apps').insert(input.apps.map((app_name) => ({ integration_id: id, app_name, desired: true, status: 'pending' })));
    }
    await trx('oauth_states').insert({ state_hash: input.stateHash, integration_id: id, expires_at: input.stateExpiresAt });
    // States are useless once expired; keep the table small.
    await trx('oauth_states').where('expires_at', '<', trx.raw(`now() - interval '1 day'`)).delete();
  });
  return id;
}

export async function integrationView(db: Db, id: string): Promise<IntegrationView | undefined> {
  const row = await findIntegration(db, id);
  if (!row) return undefined;
  const apps = await appRows(db, id);
  return {
    id: row.id,
    orgId: row.org_id,
    status: row.status,
    statusReason: row.status_reason,
    account: { id: row.heroku_account_id, email: row.heroku_account_email },
    apps: apps.map((a) => ({ name: a.app_name, webhookId: a.webhook_id, status: a.status, lastError: a.last_error })),
    tokenExpiresAt: row.token_expires_at ? new Date(row.token_expires_at).toISOString() : null,
    watchedKinds: CHANGE_KINDS.filter((k) => row.watched_kinds.includes(k)),
  };
}

/** Replaces the kinds that make pulses; takes effect on the next delivery (no webhook change needed). */
export async function replaceWatchedKinds(db: Db, integrationId: string, kinds: readonly ChangeKind[]): Promise<void> {
  await db('integrations').where({ id: integrationId }).update({ watched_kinds: [...kinds], updated_at: db.fn.now() });
}

/**
 * Makes `apps` the watched list: new names become `pending`; names no longer listed become
 * `desired=false, status=removing` (their webhook is deleted by the next sync); a name listed
 * again while still being removed is wanted again.
 */
export async function replaceWatchedApps(trx: Knex.Transaction, integrationId: string, apps: string[]): Promise<void> {
  const current = (await trx('integration_apps').where({ integration_id: integrationId }).forUpdate()) as IntegrationAppRow[];
  const wanted = new Set(apps);
  const known = new Set(current.map((a) => a.app_name));
  const added = apps.filter((a) => !known.has(a));
  if (added.length > 0) {
    await trx('integration_apps').insert(added.map((app_name) => ({ integration_id: integrationId, app_name, desired: true, status: 'pending' })));
  }
  const rewanted = current.filter((a) => !a.desired && wanted.has(a.app_name)).map((a) => a.app_name);
  if (rewanted.length > 0) {
    await trx('integration_apps')
      .where({ integration_id: integrationId })
      .whereIn('app_name', rewanted)
      .update({ desired: true, status: 'pending', last_error: null, updated_at: trx.fn.now() });
  }
  const removed = current.filter((a) => a.desired && !wanted.has(a.app_name)).map((a) => a.app_name);
  if (removed.length > 0) {
    await trx('integration_apps')
      .where({ integration_id: integrationId })
      .whereIn('app_name', removed)
      .update({ desired: false, status: 'removing', last_error: null, updated_at: trx.fn.now() });
  }
}

/**
 * Moves the integration to `to` only from one of `from` (status changes of concurrent actors
 * never overwrite each other: an install finishing cannot undo a disconnect). Returns whether it moved.
 */
export async function transitionStatus(
  db: Db | Knex.Transaction,
  integrationId: string,
  from: readonly IntegrationStatus[],
  to: IntegrationStatus,
  reason: string | null = null,
): Promise<boolean> {
  const updated = await db('integrations')
    .where({ id: integrationId })
    .whereIn('status', from as IntegrationStatus[])
    .update({ status: to, status_reason: reason, updated_at: db.fn.now() });
  return updated > 0;
}
