import type { Db } from '../db/knex';
import { RELEASE_KINDS } from './change-kinds';
import type { ChangeRow } from './change-view';
import { changesOf, getChange } from './list-changes';

// What the console needs to offer "Roll back to this release" (README "Console"). A release is
// offered as a target exactly when a newer recorded release names it as its `rollbackTarget`
// (list-changes.ts): the same rule as GET /api/changes, so the console and the API never disagree.
// The rollback workflow checks the target against Heroku again before it asks for anything.

export interface RollbackOffer {
  changeId: string;
  integrationId: string;
  app: string;
  targetReleaseId: string;
  targetVersion: number;
  summary: string;
  /** The newest successful release we recorded for the app: what Heroku runs now, as far as we know. */
  current: { releaseId: string; version: number } | null;
}

export type RollbackOfferAnswer = { ok: true; offer: RollbackOffer } | { ok: false; status: 400 | 404; reason: string };

const releaseOf = (row: Pick<ChangeRow, 'kind' | 'data'>): { releaseId: string; version: number } | undefined => {
  const { releaseId, version } = row.data;
  if (!RELEASE_KINDS.includes(row.kind) || typeof releaseId !== 'string' || typeof version !== 'number') return undefined;
  return { releaseId, version };
};

/** Of `releases` (of `app`), those a rollback may go to: the next version's recorded release names them as its target. */
export async function rollbackTargetsAmong(db: Db, orgId: string, app: string, releases: readonly { releaseId: string; version: number }[]): Promise<Set<string>> {
  if (releases.length === 0) return new Set();
  // Only the releases one version newer can name them: the target of each is computed for those few rows alone.
  const next = [...new Set(releases.map((r) => String(r.version + 1)))];
  const rows = (await db
    .from(changesOf(db, orgId).andWhere('p.app_name', app).whereIn('p.kind', [...RELEASE_KINDS]).whereRaw("p.data->>'version' = any(?)", [next]).as('c'))
    .whereIn('c.rollback_target', releases.map((r) => r.releaseId))
    .distinct('c.rollback_target')) as { rollback_target: string }[];
  return new Set(rows.map((r) => r.rollback_target));
}

/** The release ids among `changes` that may be rolled back to (for the lists of the "What changed" pages). */
export async function offeredTargets(db: Db, orgId: string, changes: readonly ChangeRow[]): Promise<Set<string>> {
  const byApp = new Map<string, { releaseId: string; version: number }[]>();
  for (const c of changes) {
    const release = releaseOf(c);
    if (release) byApp.set(c.app_name, [...(byApp.get(c.app_name) ?? []), release]);
  }
  const found = new Set<string>();
  for (const [app, releases] of byApp) for (const id of await rollbackTargetsAmong(db, orgId, app, releases)) found.add(id);
  return found;
}

/** The change (pulse) id of a recorded release, to link "the release before" to its offer. */
export async function changeIdOfRelease(db: Db, orgId: string, releaseId: string): Promise<string | undefined> {
  const row = await db('pulses')
    .where({ org_id: orgId })
    .whereIn('kind', [...RELEASE_KINDS])
    .whereRaw("data->>'releaseId' = ?", [releaseId])
    .orderBy('occurred_at', 'desc')
    .first<{ id: string } | undefined>('id');
  return row?.id;
}

/** Everything the confirmation step shows and posts, or why this change cannot be rolled back to. */
export async function rollbackOffer(db: Db, orgId: string, changeId: string): Promise<RollbackOfferAnswer> {
  const row = await getChange(db, orgId, changeId);
  if (!row) return { ok: false, status: 404, reason: 'There is no such change in this org.' };
  const release = releaseOf(row);
  if (!release) return { ok: false, status: 400, reason: `This change is not a Heroku release (it is a ${row.kind} change): only releases can be rolled back to.` };
  const name = `v${release.version} of ${row.app_name}`;
  if (!(await rollbackTargetsAmong(db, orgId, row.app_name, [release])).has(release.releaseId)) {
    const reason =
      row.data['status'] === 'failed'
        ? `Release ${name} failed: Heroku cannot roll back to it.`
        : (await newerRelease(db, orgId, row)) === undefined
          ? `Release ${name} is the newest release recorded for the app (its current release): there is nothing to roll back from.`
          : `Release ${name} is not eligible for rollback (Heroku said so, or the release after it was not recorded).`;
    return { ok: false, status: 400, reason };
  }
  const pulse = await db('pulses').where({ id: row.id }).first<{ integration_id: string }>('integration_id');
  return {
    ok: true,
    offer: { changeId: row.id, integrationId: pulse.integration_id, app: row.app_name, targetReleaseId: release.releaseId, targetVersion: release.version, summary: row.summary, current: (await newerRelease(db, orgId, row, true)) ?? null },
  };
}

/** The newest recorded release of the app newer than `row` (succeeded ones only when `succeeded`). */
async function newerRelease(db: Db, orgId: string, row: ChangeRow, succeeded = false): Promise<{ releaseId: string; version: number } | undefined> {
  const newest = (await db('pulses')
    .where({ org_id: orgId, app_name: row.app_name })
    .whereIn('kind', [...RELEASE_KINDS])
    .whereRaw("(data->>'version') ~ '^[0-9]{1,9}$' and cast(data->>'version' as integer) > ?", [row.data['version'] as number])
    .modify((q) => {
      if (succeeded) void q.whereRaw("coalesce(data->>'status', 'succeeded') = 'succeeded'");
    })
    .orderByRaw("cast(data->>'version' as integer) desc")
    .first('data')) as { data: Record<string, unknown> } | undefined;
  return newest ? releaseOf({ kind: 'release', data: newest.data }) : undefined;
}
