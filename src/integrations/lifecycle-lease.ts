import type { Db } from '../db/knex';

/**
 * Install, app sync and disconnect of one integration all change the same webhooks, tokens and
 * status, so they take turns: each workflow holds the integration's lifecycle lease
 * (`integrations.lifecycle_owner` = its workflow id) while it works. Temporal runs at most one
 * open execution per workflow id, so the id names the holder; a holder whose workflow is no
 * longer running (terminated, timed out) can never release, so its lease may be taken over.
 */

/** Someone else holds the lease; the caller retries later (activity retry policy). */
export class LifecycleBusyError extends Error {
  override name = 'LifecycleBusyError';
}

export class IntegrationNotFoundError extends Error {
  override name = 'IntegrationNotFoundError';
}

/** Takes the lease for `owner` (idempotent for the current holder) or throws LifecycleBusyError. */
export async function acquireLifecycleLease(
  db: Db,
  integrationId: string,
  owner: string,
  isRunning: (workflowId: string) => Promise<boolean>,
): Promise<void> {
  const take = (holder: string | null) =>
    db('integrations')
      .where({ id: integrationId })
      .andWhere((q) => (holder === null ? q.whereNull('lifecycle_owner').orWhere('lifecycle_owner', owner) : q.where('lifecycle_owner', holder)))
      .update({ lifecycle_owner: owner, lifecycle_acquired_at: db.fn.now() });

  if ((await take(null)) > 0) return;
  const row = (await db('integrations').where({ id: integrationId }).first('lifecycle_owner')) as { lifecycle_owner: string | null } | undefined;
  if (!row) throw new IntegrationNotFoundError(`No integration ${integrationId}`);
  const holder = row.lifecycle_owner;
  if (holder === null) {
    if ((await take(null)) > 0) return;
    throw new LifecycleBusyError('the lifecycle lease changed hands; retrying');
  }
  if (await isRunning(holder)) throw new LifecycleBusyError(`waiting for ${holder} to finish`);
  // The holder is gone without releasing: take over, unless someone else just did.
  if ((await take(holder)) > 0) return;
  throw new LifecycleBusyError('the lifecycle lease changed hands; retrying');
}

/** Releases the lease if `owner` holds it (a no-op otherwise, so repeating it is harmless). */
export async function releaseLifecycleLease(db: Db, integrationId: string, owner: string): Promise<void> {
  await db('integrations')
    .where({ id: integrationId, lifecycle_owner: owner })
    .update({ lifecycle_owner: null, lifecycle_acquired_at: null });
}
