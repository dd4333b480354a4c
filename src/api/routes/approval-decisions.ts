import Router from '@koa/router';
import { z } from 'zod';
import { identitySchema } from '../../approval/approval-input';
import { findApprovalOf, type ApprovalSubjectKind } from '../../approval/approval-store';
import type { DecisionKind } from '../../approval/decision-rules';
import { sendDecision } from '../../approval/send-decision';
import { describeIssues } from '../../command-runs/input';
import { findRun } from '../../command-runs/run-store';
import { findRollback } from '../../rollbacks/rollback-store';
import type { ApiContext, ApiContextExtras, ApiState } from '../context';
import type { ApiDeps } from '../deps';
import { badRequest, HttpError, notFound } from '../http-error';
import { bodyOf } from '../middleware/body';
import { runView } from './command-runs';
import { rollbackViewOf } from './rollbacks';

const decisionBodySchema = z.strictObject({
  by: identitySchema('by'),
  reason: z.string('reason must be a string').max(1000, 'reason is longer than 1000 characters').optional(),
});

/** A gated subject: how to find it and how GET shows it. */
interface Subject {
  kind: ApprovalSubjectKind;
  /** `/api/command-runs` */
  base: string;
  noun: string;
  view(deps: ApiDeps, id: string): Promise<unknown | undefined>;
}

const commandRuns: Subject = {
  kind: 'command_run',
  base: '/api/command-runs',
  noun: 'command run',
  async view(deps, id) {
    const run = await findRun(deps.db, id);
    return run && runView(run, await findApprovalOf(deps.db, 'command_run', id));
  },
};

const rollbacks: Subject = {
  kind: 'rollback',
  base: '/api/rollbacks',
  noun: 'rollback',
  async view(deps, id) {
    const rollback = await findRollback(deps.db, id);
    return rollback && rollbackViewOf(deps.db, rollback);
  },
};

/**
 * `POST /api/command-runs/:id/approve` and `/reject`, and the same under `/api/rollbacks`,
 * `{"by", "reason"}` (CONTRACT §6): the decision as the workflow's `approve` / `reject` Update,
 * answered once the workflow accepted and recorded it, with the run or rollback as GET shows it.
 * 409 `not_awaiting_approval`, 403 `approver_not_allowed`.
 */
export function approvalDecisionRoutes(deps: ApiDeps, subjects: readonly Subject[] = [commandRuns, rollbacks]): Router<ApiState, ApiContextExtras> {
  const router = new Router<ApiState, ApiContextExtras>();
  for (const subject of subjects) {
    for (const kind of ['approve', 'reject'] as const) {
      router.post(`${subject.base}/:id/${kind}`, (ctx) => decide(deps, subject, kind, ctx, ctx.params['id'] ?? ''));
    }
  }
  return router;
}

async function decide(deps: ApiDeps, subject: Subject, kind: DecisionKind, ctx: ApiContext, id: string): Promise<void> {
  const parsed = decisionBodySchema.safeParse(bodyOf(ctx) ?? {});
  if (!parsed.success) throw badRequest(`Invalid decision: ${describeIssues(parsed.error)}`, 'invalid_input');
  if ((await subject.view(deps, id)) === undefined) throw notFound(`no ${subject.noun} ${id}`);
  const approval = await findApprovalOf(deps.db, subject.kind, id);
  if (!approval) throw new HttpError(409, 'not_awaiting_approval', `${subject.noun} ${id} has no approval request (it is not awaiting approval)`);
  // A console session has no Authorization header (src/api/console): say where the decision came from.
  const via = ctx.get('authorization') === '' ? 'console' : 'api';
  const result = await sendDecision(deps, approval, kind, { by: parsed.data.by, ...(parsed.data.reason ? { reason: parsed.data.reason } : {}), via });
  if (!result.ok) throw new HttpError(result.status, result.code, result.message);
  ctx.state.log.info({ approvalId: approval.id, decision: kind, by: parsed.data.by, via }, 'approval decision sent');
  ctx.body = await subject.view(deps, id);
}

export type { Subject as ApprovalSubjectRoutes };
