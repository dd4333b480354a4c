import type { ActivityDeps } from '../deps';
import { updateRollback, type RollbackStatus } from '../../rollbacks/rollback-store';
import { checkTargetActivity } from './check-target';
import { rollBackActivity } from './roll-back';
import { rollbackSlackActivity } from './slack-post';
import { rollbackTimelineActivity } from './timeline';

/** The activities of RollbackHerokuRelease (src/workflows/rollback-heroku-release.ts). */
export function createRollbackActivities(deps: ActivityDeps) {
  return {
    checkRollbackTarget: checkTargetActivity(deps),
    rollBackRelease: rollBackActivity(deps),
    postRollbackToSlack: rollbackSlackActivity(deps),
    postRollbackToTimeline: rollbackTimelineActivity(deps),
    /** The final status: after the report on success, before it on failure (the report tells the error). */
    async finishRollback({ rollbackId, status, error }: { rollbackId: string; status: RollbackStatus; error: string | null }): Promise<void> {
      await updateRollback(deps.db, rollbackId, { status, error, finished_at: new Date() });
    },
  };
}
