import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { appPath } from '../../heroku/client';
import { getRollback, markRollbackRunning, updateRollback, type RollbackRow } from '../../rollbacks/rollback-store';
import type { ActivityDeps } from '../deps';
import { heartbeating } from '../heartbeating';
import { newestReleases, onHerokuFor, type HerokuRelease } from './heroku-releases';

/**
 * Asks Heroku for the rollback, exactly once. The attempt is recorded before the call; a retry
 * whose predecessor may have reached Heroku (worker killed, answer lost, 5xx after the fact)
 * first looks for the release it created: newer than the current version recorded at the check
 * and described `Rollback to v<target>` (heroku.md §5.2), and only asks again when there is none.
 */
export function rollBackActivity(deps: ActivityDeps) {
  return async function rollBackRelease({ rollbackId }: { rollbackId: string }): Promise<{ releaseId: string; releaseVersion: number }> {
    return heartbeating(async () => {
      const row = await getRollback(deps.db, rollbackId);
      if (row.release_id && row.release_version !== null) return { releaseId: row.release_id, releaseVersion: row.release_version };
      if (!row.target_release_id || row.target_version === null || row.current_version_before === null) {
        throw ApplicationFailure.nonRetryable(`rollback ${rollbackId} has no checked target`, 'TargetNotChecked');
      }
      await markRollbackRunning(deps.db, rollbackId); // approved: `pending` again until now
      const app = row.app_name;
      const doing = `rolling back ${app} to v${row.target_version}`;
      const heroku = deps.herokuFor(row.integration_id);
      if (row.rollback_requested_at) {
        const found = ourRelease(await onHerokuFor(app, `${doing} (looking for the release an earlier attempt created)`, () => newestReleases(heroku, app)), row);
        if (found) return record(row, found);
      }
      await updateRollback(deps.db, rollbackId, { rollback_requested_at: row.rollback_requested_at ?? new Date() });
      const created = await onHerokuFor(app, doing, () =>
        heroku.post<HerokuRelease>(`${appPath(app)}/releases`, { release: row.target_release_id }, { signal: Context.current().cancellationSignal }),
      );
      return record(row, created);
    });
  };

  async function record(row: RollbackRow, release: HerokuRelease): Promise<{ releaseId: string; releaseVersion: number }> {
    await updateRollback(deps.db, row.id, { release_id: release.id, release_version: release.version });
    return { releaseId: release.id, releaseVersion: release.version };
  }
}

/** The oldest release after the check that rolls back to our target (a second rollback by someone else comes later). */
function ourRelease(releases: HerokuRelease[], row: RollbackRow): HerokuRelease | undefined {
  const description = `Rollback to v${row.target_version}`;
  return releases
    .filter((r) => r.version > (row.current_version_before as number) && r.description === description)
    .sort((a, b) => a.version - b.version)[0];
}
