import { isDeepStrictEqual } from 'node:util';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import Router from '@koa/router';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { approvalView, findApprovalOf, type ApprovalRow } from '../../approval/approval-store';
import { parseRunCommandInput, type RunCommandInput } from '../../command-runs/input';
import { integrationProblem } from '../../command-runs/integration-check';
import { readOutput } from '../../command-runs/output-store';
import { workflowIdForRun } from '../../command-runs/run-id';
import { FINAL_STATUSES, findRun, insertRunIfAbsent, type CommandRunRow } from '../../command-runs/run-store';
import type { Db } from '../../db/knex';
import { HerokuAppKey, IncidentIdKey, IntegrationIdKey } from '../../temporal/search-attributes';
import { CommandTemplateError, renderCommandTemplate, templateContextOf } from '../../templates/command-template';
import type { ApiContextExtras, ApiState } from '../context';
import type { ApiDeps } from '../deps';
import { badRequest, conflict, notFound } from '../http-error';
import { parseStartRequest } from '../start-request';
import { bodyOf } from '../middleware/body';

/** How often a followed output is checked for new chunks, and for how long at most. */
const FOLLOW_POLL_MS = 500;
const FOLLOW_MAX_MS = 60 * 60_000;

/**
 * `POST /api/command-runs` starts RunCommandOnHeroku (the same `id` twice starts it once),
 * `GET /api/command-runs/:id` is the run's live status, `GET /api/command-runs/:id/output` its
 * output as text, streamed while it grows.
 */
export function commandRunRoutes(deps: ApiDeps): Router<ApiState, ApiContextExtras> {
  const router = new Router<ApiState, ApiContextExtras>();

  router.post('/api/command-runs', async (ctx) => {
    const { id, input } = parseStartRequest(bodyOf(ctx), 'RunCommandOnHeroku', parseRunCommandInput);
    const refused = await integrationProblem(deps.db, input.integrationId);
    if (refused) throw badRequest(refused, 'unknown_integration');
    try {
      await renderCommandTemplate(input.command, templateContextOf(id, input));
    } catch (err) {
      if (err instanceof CommandTemplateError) throw badRequest(err.message, 'template_error');
      throw err;
    }
    const workflowId = workflowIdForRun(id);
    const run = await insertRunIfAbsent(deps.db, { id, workflowId, input });
    if (run.workflow_id !== workflowId || !isDeepStrictEqual(run.input, JSON.parse(JSON.stringify(input)))) {
      throw conflict(`command run ${id} already exists with a different input`, 'run_id_in_use');
    }
    try {
      await deps.temporal.workflow.start('RunCommandOnHeroku', {
        taskQueue: deps.config.temporal.taskQueue,
        workflowId,
        args: [input],
        workflowIdConflictPolicy: 'USE_EXISTING',
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        typedSearchAttributes: [
          { key: HerokuAppKey, value: input.appName },
          { key: IntegrationIdKey, value: input.integrationId },
          ...(input.incident?.id ? [{ key: IncidentIdKey, value: input.incident.id }] : []),
        ],
        staticSummary: summaryOf(input),
      });
    } catch (err) {
      // The run already ran (and closed) under this id: starting it "again" is the same request.
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
    ctx.status = 202;
    ctx.body = { id, workflowId };
  });

  router.get('/api/command-runs/:id', async (ctx) => {
    const run = await findRun(deps.db, ctx.params['id'] ?? '');
    if (!run) throw notFound(`no command run ${ctx.params['id']}`);
    ctx.body = runView(run, await findApprovalOf(deps.db, 'command_run', run.id));
  });

  router.get('/api/command-runs/:id/output', async (ctx) => {
    const runId = ctx.params['id'] ?? '';
    if (!(await findRun(deps.db, runId))) throw notFound(`no command run ${runId}`);
    const follow = !['0', 'false', 'no'].includes(String(ctx.query['follow'] ?? 'true'));
    ctx.type = 'text/plain; charset=utf-8';
    ctx.set('Cache-Control', 'no-store');
    ctx.body = Readable.from(outputOf(deps.db, runId, follow));
  });

  return router;
}

/** The Temporal UI's one-line summary of the run. */
function summaryOf(input: RunCommandInput): string {
  const command = input.command.replace(/\s+/g, ' ').trim();
  const short = command.length > 80 ? `${command.slice(0, 79)}…` : command;
  return `${input.approval ? 'Approval needed: run' : 'Run'} \`${short}\` on **${input.appName}**${input.incident?.id ? ` for incident ${input.incident.id}` : ''}`;
}

/** CONTRACT §3 fields, then what this implementation adds (README "Run Command on Heroku"). */
export function runView(run: CommandRunRow, approval: ApprovalRow | undefined) {
  return {
    id: run.id,
    status: run.status,
    appName: run.app_name,
    dynoId: run.dyno_id,
    dynoName: run.dyno_name,
    dynoSize: run.dyno_size,
    timeToLiveSeconds: run.input.timeToLiveSeconds,
    exitCode: run.exit_code,
    timedOut: run.timed_out,
    outputBytes: Number(run.output_bytes),
    startedAt: run.started_at.toISOString(),
    finishedAt: run.finished_at?.toISOString() ?? null,
    error: run.error,
    workflowId: run.workflow_id,
    incidentId: run.incident_id,
    command: run.command_redacted,
    outputLines: Number(run.output_lines),
    // With live output, each channel's message too (its ts: the thread the output file is in).
    slack: run.input.slackLiveOutput ? run.slack_posts.map((p) => ({ ...p, messageTs: run.slack_live.find((l) => l.channelId === p.channelId)?.ts ?? null })) : run.slack_posts,
    slackLiveOutput: run.input.slackLiveOutput === true,
    timelineEventId: run.timeline_event_id,
    approval: approval ? approvalView(approval) : null,
  };
}

/** The stored output in order; with `follow`, keeps reading new chunks until the run is over. */
async function* outputOf(db: Db, runId: string, follow: boolean): AsyncGenerator<Buffer> {
  const deadline = Date.now() + FOLLOW_MAX_MS;
  let after = -1;
  for (;;) {
    // Read the status first: once final, every chunk is stored, and one more read gets them all.
    const over = !follow || Date.now() > deadline || FINAL_STATUSES.includes((await findRun(db, runId))?.status ?? 'failed');
    for await (const chunk of readOutput(db, runId, { afterSeq: after })) {
      after = chunk.seq;
      yield chunk.data;
    }
    if (over) return;
    await sleep(FOLLOW_POLL_MS);
  }
}
