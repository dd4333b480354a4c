import type { Db } from '../db/knex';
import { approvalIdOf, type ApprovalSubjectKind } from './approval-id';
import type { ApprovalStatus } from './decision-rules';

export { approvalIdOf, type ApprovalSubjectKind };

/** The table holding each kind's row with its `status` column. */
const SUBJECT_TABLES: Record<ApprovalSubjectKind, string> = { command_run: 'command_runs', rollback: 'rollbacks' };

/** Where one channel's approval message stands. */
export interface ApprovalSlackMessage {
  channel: string;
  channelId: string | null;
  /** Set before `chat.postMessage`: with no `ts` yet, a retry looks the message up by its metadata first. */
  postingStartedAt: string | null;
  ts: string | null;
  /** The decision this message was last updated to show (none yet: it still has its buttons); `cancelled`: the run was, first. */
  shows: ApprovalStatus | 'cancelled' | null;
  error: string | null;
}

/** An `approvals` row (2301_approvals). */
export interface ApprovalRow {
  id: string;
  subject_kind: ApprovalSubjectKind;
  subject_id: string;
  workflow_id: string;
  status: ApprovalStatus;
  requested_by: string | null;
  approvers: string[] | null;
  rendered_command: string | null;
  subject_summary: string;
  timeout_seconds: number;
  requested_at: Date;
  expires_at: Date;
  decided_by: string | null;
  decided_at: Date | null;
  reason: string | null;
  decided_via: string | null;
  slack_messages: ApprovalSlackMessage[];
  updated_at: Date;
}

/** The `approval` object of a run or rollback as GET shows it (CONTRACT §6), plus what the README adds. */
export interface ApprovalView {
  status: ApprovalStatus;
  requestedBy: string | null;
  decidedBy: string | null;
  decidedAt: string | null;
  reason: string | null;
  renderedCommand: string | null;
  approvers: string[] | null;
  requestedAt: string;
  expiresAt: string;
  decidedVia: string | null;
}

export function approvalView(row: ApprovalRow): ApprovalView {
  return {
    status: row.status,
    requestedBy: row.requested_by,
    decidedBy: row.decided_by,
    decidedAt: row.decided_at?.toISOString() ?? null,
    reason: row.reason,
    renderedCommand: row.rendered_command,
    approvers: row.approvers,
    requestedAt: row.requested_at.toISOString(),
    expiresAt: row.expires_at.toISOString(),
    decidedVia: row.decided_via,
  };
}

export async function findApproval(db: Db, id: string): Promise<ApprovalRow | undefined> {
  return db<ApprovalRow>('approvals').where({ id }).first();
}

export async function findApprovalOf(db: Db, kind: ApprovalSubjectKind, subjectId: string): Promise<ApprovalRow | undefined> {
  return findApproval(db, approvalIdOf(kind, subjectId));
}

export interface OpenApproval {
  id: string;
  kind: ApprovalSubjectKind;
  subjectId: string;
  workflowId: string;
  requestedBy: string | null;
  approvers: string[] | null;
  renderedCommand: string | null;
  summary: string;
  timeoutSeconds: number;
  requestedAt: string;
  expiresAt: string;
}

/** Records the request (once: a retry keeps the first) and puts its subject in `awaiting_approval`. */
export async function openApproval(db: Db, open: OpenApproval): Promise<void> {
  await db.transaction(async (tx) => {
    await tx('approvals')
      .insert({
        id: open.id,
        subject_kind: open.kind,
        subject_id: open.subjectId,
        workflow_id: open.workflowId,
        status: 'pending',
        requested_by: open.requestedBy,
        approvers: open.approvers === null ? null : JSON.stringify(open.approvers),
        rendered_command: open.renderedCommand,
        subject_summary: open.summary,
        timeout_seconds: open.timeoutSeconds,
        requested_at: open.requestedAt,
        expires_at: open.expiresAt,
      })
      .onConflict('id')
      .ignore();
    await tx(SUBJECT_TABLES[open.kind]).where({ id: open.subjectId, status: 'pending' }).update({ status: 'awaiting_approval', updated_at: tx.fn.now() });
  });
}

export interface RecordedDecision {
  id: string;
  kind: ApprovalSubjectKind;
  subjectId: string;
  status: Exclude<ApprovalStatus, 'pending'>;
  decidedBy: string | null;
  decidedAt: string;
  reason: string | null;
  via: string;
}

/**
 * Records the decision (the first one wins: the workflow sends only one, a retry repeats it). An
 * approved subject is `pending` again until it runs; a rejected or expired one keeps
 * `awaiting_approval` until its workflow records how it ended (status, error, finish time at once).
 */
export async function recordDecision(db: Db, decision: RecordedDecision): Promise<void> {
  await db.transaction(async (tx) => {
    await tx('approvals')
      .where({ id: decision.id, status: 'pending' })
      .update({ status: decision.status, decided_by: decision.decidedBy, decided_at: decision.decidedAt, reason: decision.reason, decided_via: decision.via, updated_at: tx.fn.now() });
    if (decision.status === 'approved') await tx(SUBJECT_TABLES[decision.kind]).where({ id: decision.subjectId, status: 'awaiting_approval' }).update({ status: 'pending', updated_at: tx.fn.now() });
  });
}

export async function writeSlackMessages(db: Db, id: string, messages: readonly ApprovalSlackMessage[]): Promise<void> {
  await db('approvals').where({ id }).update({ slack_messages: JSON.stringify(messages), updated_at: db.fn.now() });
}
