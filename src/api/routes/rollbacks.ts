import { isDeepStrictEqual } from 'node:util';
import Router from '@koa/router';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { z } from 'zod';
import { approvalIdOf, approvalView, findApprovalOf, type ApprovalRow } from '../../approval/approval-store';
import { integrationProblem } from '../../command-runs/integration-check';
import type { Db } from '../../db/knex';
import { parseRollbackInput, targetText, type RollbackInput } from '../../rollbacks/input';
import { workflowIdForRollback } from '../../rollbacks/rollback-id';
import { findRollback, insertRollbackIfAbsent, storedInput, type RollbackRow } from '../../rollbacks/rollback-store';
import { HerokuAppKey, IncidentIdKey, IntegrationIdKey } from '../../temporal/search-attributes';
import type { ApiContextExtras, ApiState } from '../context';
import type { ApiDeps } from '../deps';
import { badRequest, conflict, notFound } from '../http-error';
import { parseStartRequest } from '../start-request';
import { bodyOf } from '../middleware/body';
import { pageQuerySchema, readPage, sendPage } from '../pagination';
import { newestFirstCursor, type NewestFirstCursor } from './newest-first';

const listQuery = pageQuerySchema.extend({
  orgId: z.string('orgId is required').min(1, 'orgId is required').max(200),
  appName: z.string().min(1).max(100).optional(),
});

/**
 * `POST /api/rollbacks` starts RollbackHerokuRelease (the same `id` twice starts it once),
 * `GET /api/rollbacks/:id` is its status (with the rollback's own release and its pulse),
 * `GET /api/rollbacks?orgId=` lists an org's rollbacks newest first, paged (CONTRACT §6).
 */
export function rollbackRoutes(deps: ApiDeps): Router<ApiState, ApiContextExtras> {
  const router = new Router<ApiState, ApiContextExtras>();

  router.post('/api/rollbacks', async (ctx) => {
    const { id, input } = parseStartRequest(bodyOf(ctx), 'RollbackHerokuRelease', parseRollbackInput);
    const refused = await integrationProblem(deps.db, input.integrationId);
    if (refused) throw badRequest(refused, 'unknown_integration');
    const workflowId = workflowIdForRollback(id);
    const row = await insertRollbackIfAbsent(deps.db, { id, workflowId, input });
    if (row.workflow_id !== workflowId || !isDeepStrictEqual(row.input, storedInput(input))) {
      throw conflict(`rollback ${id} already exists with a different input`, 'rollback_id_in_use');
    }
    try {
      await deps.temporal.workflow.start('RollbackHerokuRelease', {
        taskQueue: deps.config.temporal.taskQueue,
        workflowId,
        args: [storedInput(input)],
        workflowIdConflictPolicy: 'USE_EXISTING',
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        typedSearchAttributes: [
          { key: HerokuAppKey, value: input.appName },
          { key: IntegrationIdKey, value: input.integrationId },
          ...(input.incident?.id ? [{ key: IncidentIdKey, value: input.incident.id }] : []),
        ],
        staticSummary: `${input.approval ? 'Approval needed: roll' : 'Roll'} back **${input.appName}** to ${describeTarget(input)}${input.incident?.id ? ` for incident ${input.incident.id}` : ''}`,
      });
    } catch (err) {
      // Already ran (and closed) under this id: starting it "again" is the same request.
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
    ctx.status = 202;
    ctx.body = { id, workflowId };
  });

  router.get('/api/rollbacks/:id', async (ctx) => {
    const row = await findRollback(deps.db, ctx.params['id'] ?? '');
    if (!row) throw notFound(`no rollback ${ctx.params['id']}`);
    ctx.body = await rollbackViewOf(deps.db, row);
  });

  router.get('/api/rollbacks', async (ctx) => {
    const parsed = listQuery.safeParse(ctx.query);
    if (!parsed.success) throw badRequest(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '), 'invalid_query');
    const query = parsed.data;
    const page = readPage(query, newestFirstCursor);
    const rows = (await deps.db('rollbacks as r')
      .join('integrations as i', 'i.id', 'r.integration_id')
      .where('i.org_id', query.orgId)
      .modify((q) => {
        if (query.appName !== undefined) void q.where('r.app_name', query.appName);
        if (page.after !== undefined) void q.whereRaw('(r.started_at, r.id) < (cast(? as timestamptz), ?)', [page.after.at, page.after.id]);
      })
      .orderBy([
        { column: 'r.started_at', order: 'desc' },
        { column: 'r.id', order: 'desc' },
      ])
      .limit(page.limit + 1)
      .select('r.*', deps.db.raw('r.started_at::text as started_at_text'))) as (RollbackRow & { started_at_text: string })[];
    const approvals = await approvalsOf(deps.db, rows);
    sendPage(ctx, page, rows, (r): NewestFirstCursor => ({ at: r.started_at_text, id: r.id }), (r) => rollbackView(r, null, approvals.get(approvalIdOf('rollback', r.id))));
  });

  return router;
}

function describeTarget(input: RollbackInput): string {
  const t = targetText(input.target);
  return typeof t === 'number' ? `v${t}` : t === 'previous' ? 'the previous release' : `release ${t}`;
}

/** The rollback as `GET /api/rollbacks/:id` shows it (the approval routes answer with it too). */
export async function rollbackViewOf(db: Db, row: RollbackRow) {
  return rollbackView(row, await pulseOfRelease(db, row), await findApprovalOf(db, 'rollback', row.id));
}

/** The approval requests of a page of rollbacks, by approval id (one query). */
async function approvalsOf(db: Db, rows: readonly RollbackRow[]): Promise<Map<string, ApprovalRow>> {
  const gated = rows.filter((r) => r.input.approval).map((r) => approvalIdOf('rollback', r.id));
  if (gated.length === 0) return new Map();
  const found = await db<ApprovalRow>('approvals').whereIn('id', gated);
  return new Map(found.map((a) => [a.id, a]));
}

/** The pulse of the rollback's own release (its `api:release` webhook), once it arrived. */
async function pulseOfRelease(db: Db, row: RollbackRow): Promise<string | null> {
  if (!row.release_id) return null;
  const pulse = await db('pulses').where({ integration_id: row.integration_id, kind: 'release' }).whereRaw("data->>'releaseId' = ?", [row.release_id]).first<{ id: string } | undefined>('id');
  return pulse?.id ?? null;
}

/** CONTRACT §6 fields, then what this implementation adds (README "Release rollback"). */
export function rollbackView(row: RollbackRow, pulseId: string | null, approval?: ApprovalRow) {
  return {
    id: row.id,
    status: row.status,
    appName: row.app_name,
    targetReleaseId: row.target_release_id,
    targetVersion: row.target_version,
    releaseId: row.release_id,
    releaseVersion: row.release_version,
    error: row.error,
    approval: approval ? approvalView(approval) : null,
    startedAt: row.started_at.toISOString(),
    finishedAt: row.finished_at?.toISOString() ?? null,
    workflowId: row.workflow_id,
    integrationId: row.integration_id,
    incidentId: row.incident_id,
    target: row.input.target,
    requestedBy: row.input.requestedBy ?? null,
    slack: row.slack_posts.map((p) => ({ channel: p.channel, channelId: p.channelId, status: p.status, error: p.error })),
    timelineEventId: row.timeline_event_id,
    releasePulseId: pulseId,
  };
}
