import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import type { RunOutcome } from '../../command-runs/outcome';
import { approvalView, findApprovalOf } from '../../approval/approval-store';
import { getRun, updateRun } from '../../command-runs/run-store';
import type { ActivityDeps } from '../deps';
import { runDurationSeconds, runSummary, shortCommand } from './run-report';

export const TIMELINE_EVENT_KIND = 'heroku_command_run';

/**
 * One event on the incident's timeline per run (idempotency key `command-run:<runId>`): app,
 * command as rendered and redacted, exit code, duration, and where to read the output.
 */
export function timelineActivity(deps: ActivityDeps) {
  return async function postRunToTimeline({ runId, outcome }: { runId: string; outcome: RunOutcome }): Promise<{ timelineEventId: string }> {
    const run = await getRun(deps.db, runId);
    if (!run.incident_id) throw ApplicationFailure.nonRetryable(`run ${runId} has no incident to post to`, 'NoIncident');
    const idempotencyKey = `command-run:${runId}`;
    const approval = await findApprovalOf(deps.db, 'command_run', runId);
    const notRun = approval && (approval.status === 'rejected' || approval.status === 'expired');
    const integration = await deps.db('integrations').where({ id: run.integration_id }).first<{ org_id: string } | undefined>('org_id');
    await deps.db('timeline_events')
      .insert({
        id: randomUUID(),
        incident_id: run.incident_id,
        org_id: integration?.org_id ?? null,
        kind: TIMELINE_EVENT_KIND,
        summary: notRun ? `Did not run \`${shortCommand(run)}\` on ${run.app_name}: ${outcome.problem?.replace(/^not run: /, '') ?? approval.status}` : runSummary(run, outcome),
        data: {
          runId,
          appName: run.app_name,
          dynoName: run.dyno_name,
          dynoSize: run.dyno_size,
          command: run.command_redacted,
          exitCode: outcome.exitCode,
          timedOut: outcome.timedOut,
          problem: outcome.problem,
          durationSeconds: Math.round(runDurationSeconds(run)),
          outputBytes: Number(run.output_bytes),
          outputUrl: `${deps.config.publicUrl}/api/command-runs/${encodeURIComponent(runId)}/output`,
          slackFileId: run.slack_file_id,
          approval: approval ? approvalView(approval) : null,
        },
        occurred_at: run.stream_ended_at ?? new Date(),
        idempotency_key: idempotencyKey,
      })
      .onConflict('idempotency_key')
      .ignore();
    const event = await deps.db('timeline_events').where({ idempotency_key: idempotencyKey }).first<{ id: string }>('id');
    await updateRun(deps.db, runId, { timeline_event_id: event.id });
    return { timelineEventId: event.id };
  };
}
