import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Db } from '../db/knex';
import { findApproval, type ApprovalRow } from './approval-store';
import { APPROVER_NOT_ALLOWED, NOT_AWAITING_APPROVAL, UPDATE_NAMES, type DecisionKind, type DecisionRequest } from './decision-rules';

export type DecisionResult =
  | { ok: true; approval: ApprovalRow }
  | { ok: false; status: 400 | 403 | 409; code: 'not_awaiting_approval' | 'approver_not_allowed' | 'invalid_decision'; message: string };

const notWaiting = (message: string): DecisionResult => ({ ok: false, status: 409, code: 'not_awaiting_approval', message });

/**
 * Sends an `approve` / `reject` Update to the gated workflow and answers once it completed (the
 * decision is then recorded). The workflow's validator is the judge: its refusals become 403
 * (`approver_not_allowed`) and 409 (`not_awaiting_approval`); a workflow that is over is 409 too.
 */
export async function sendDecision(deps: { db: Db; temporal: Client }, approval: ApprovalRow, kind: DecisionKind, request: DecisionRequest): Promise<DecisionResult> {
  if (approval.status !== 'pending') return notWaiting(`not awaiting approval: the request is ${approval.status}`);
  try {
    await deps.temporal.workflow.getHandle(approval.workflow_id).executeUpdate(UPDATE_NAMES[kind], { args: [request] });
  } catch (err) {
    const cause = err instanceof WorkflowUpdateFailedError ? err.cause : undefined;
    if (cause instanceof ApplicationFailure) {
      if (cause.type === APPROVER_NOT_ALLOWED) return { ok: false, status: 403, code: 'approver_not_allowed', message: cause.message };
      if (cause.type === NOT_AWAITING_APPROVAL) return notWaiting(cause.message);
      if (cause.type === 'InvalidDecision') return { ok: false, status: 400, code: 'invalid_decision', message: cause.message };
    }
    if (err instanceof WorkflowNotFoundError) return notWaiting(`not awaiting approval: the ${approval.subject_kind === 'rollback' ? 'rollback' : 'run'} is over`);
    throw err;
  }
  return { ok: true, approval: (await findApproval(deps.db, approval.id)) ?? approval };
}
