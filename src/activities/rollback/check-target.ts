import { ApplicationFailure } from '@temporalio/common';
import { integrationProblem } from '../../command-runs/integration-check';
import { appPath } from '../../heroku/client';
import type { RollbackInput } from '../../rollbacks/input';
import { insertRollbackIfAbsent, markRollbackRunning, updateRollback } from '../../rollbacks/rollback-store';
import { generationOf } from '../../fir/app-generation';
import type { ActivityDeps } from '../deps';
import { newestReleases, onHerokuFor, releaseOf, type HerokuRelease } from './heroku-releases';
import { ineligibleTarget } from './ineligible-target';

export interface CheckedTarget {
  targetReleaseId: string;
  targetVersion: number;
  currentVersion: number;
}

/**
 * Everything that can refuse a rollback before Heroku is asked to make one: the integration, the
 * app, the target (exists, `eligible_for_rollback`, not the current release). Records the target
 * and the current version (a retried rollback call looks only at releases newer than it).
 * Idempotent: once recorded, the same answer.
 */
export function checkTargetActivity(deps: ActivityDeps) {
  return async function checkRollbackTarget(args: { rollbackId: string; workflowId: string; input: RollbackInput }): Promise<CheckedTarget> {
    const { rollbackId, workflowId, input } = args;
    const refused = await integrationProblem(deps.db, input.integrationId);
    if (refused) throw ApplicationFailure.nonRetryable(refused, 'UnknownIntegration');
    const row = await insertRollbackIfAbsent(deps.db, { id: rollbackId, workflowId, input });
    if (row.workflow_id !== workflowId) throw ApplicationFailure.nonRetryable(`rollback id ${rollbackId} already belongs to workflow ${row.workflow_id}`, 'RollbackIdInUse');
    if (row.target_release_id && row.target_version !== null && row.current_version_before !== null) {
      return { targetReleaseId: row.target_release_id, targetVersion: row.target_version, currentVersion: row.current_version_before };
    }
    // A gated rollback stays `pending` until its request is open (then `awaiting_approval`): it runs only once approved.
    if (!input.approval) await markRollbackRunning(deps.db, rollbackId);

    const app = input.appName;
    const heroku = deps.herokuFor(input.integrationId);
    const { generation } = generationOf(await onHerokuFor(app, `reading app ${app}`, () => heroku.get<unknown>(appPath(app))));
    const releases = await onHerokuFor(app, `listing the releases of ${app}`, () => newestReleases(heroku, app));
    const current = releases.find((r) => r.current);
    if (!current) throw ApplicationFailure.nonRetryable(`app ${app} has no current release among its newest ${releases.length}: nothing to roll back from`, 'NoCurrentRelease');

    let target: HerokuRelease | null;
    const wanted = input.target;
    if (wanted.kind === 'previous') {
      target = releases.find((r) => r.version < current.version && eligible(r)) ?? null;
      if (!target) throw ApplicationFailure.nonRetryable(`app ${app} has no release before v${current.version} that is eligible for rollback`, 'NoPreviousRelease');
    } else {
      const key = wanted.kind === 'id' ? wanted.id : wanted.version;
      target = releases.find((r) => (wanted.kind === 'id' ? r.id === wanted.id : r.version === wanted.version)) ?? (await onHerokuFor(app, `reading release ${key} of ${app}`, () => releaseOf(heroku, app, key)));
      if (!target) throw ApplicationFailure.nonRetryable(`app ${app} has no release ${wanted.kind === 'version' ? `v${wanted.version}` : wanted.id}`, 'TargetNotFound');
    }
    if (target.id === current.id || target.current) {
      throw ApplicationFailure.nonRetryable(`release v${target.version} is already the current release of ${app}: nothing to roll back`, 'TargetIsCurrent');
    }
    if (!eligible(target)) throw ineligibleTarget(app, target, generation);
    await updateRollback(deps.db, rollbackId, { target_release_id: target.id, target_version: target.version, current_version_before: current.version });
    return { targetReleaseId: target.id, targetVersion: target.version, currentVersion: current.version };
  };
}

/** `eligible_for_rollback` (2024-11-19); older answers lack it: a succeeded release is. */
function eligible(r: HerokuRelease): boolean {
  return r.eligible_for_rollback ?? r.status === 'succeeded';
}
