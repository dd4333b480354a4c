import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { findApprovalOf, approvalView } from '../../approval/approval-store';
import { getRollback, updateRollback } from '../../rollbacks/rollback-store';
import type { ActivityDeps } from '../deps';
import { rollbackSummary } from './report';

export const ROLLBACK_TIMELINE_EVENT_KIND = 'heroku_rollback';

/** One event on the incident's timeline per rollback (idempotency key `rollback:<id>`). */
export function rollbackTimelineActivity(deps: ActivityDeps) {
  return async function postRollbackToTimeline({ rollbackId }: { rollbackId: string }): Promise<{ timelineEventId: string }> {
    const row = await getRollback(deps.db, rollbackId);
    const approval = await findApprovalOf(deps.db, 'rollback', rollbackId);
    if (!row.incident_id) throw ApplicationFailure.nonRetryable(`rollback ${rollbackId} has no incident to post to`, 'NoIncident');
    const idempotencyKey = `rollback:${rollbackId}`;
    const integration = await deps.db('integrations').where({ id: row.integration_id }).first<{ org_id: string } | undefined>('org_id');
    await deps.db('timeline_events')
      .insert({
        id: randomUUID(),
        incident_id: row.incident_id,
        org_id: integration?.org_id ?? null,
        kind: ROLLBACK_TIMELINE_EVENT_KIND,
        summary: rollbackSummary(row, approval),
        data: {
          rollbackId,
          appName: row.app_name,
          status: row.release_id ? 'succeeded' : row.status,
          targetReleaseId: row.target_release_id,
          targetVersion: row.target_version,
          releaseId: row.release_id,
          releaseVersion: row.release_version,
          error: row.error,
          approval: approval ? approvalView(approval) : null,
          rollbackUrl: `${deps.config.publicUrl}/api/rollbacks/${encodeURIComponent(rollbackId)}`,
        },
        occurred_at: row.finished_at ?? new Date(),
        idempotency_key: idempotencyKey,
      })
      .onConflict('idempotency_key')
      .ignore();
    const event = await deps.db('timeline_events').where({ idempotency_key: idempotencyKey }).first<{ id: string }>('id');
    await updateRollback(deps.db, rollbackId, { timeline_event_id: event.id });
    return { timelineEventId: event.id };
  };
}
