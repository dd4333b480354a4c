import type { ApprovalRow } from '../../approval/approval-store';
import type { RollbackRow } from '../../rollbacks/rollback-store';

/**
 * One line for Slack and the timeline: what was rolled back, to what, how it ended, and for a
 * gated rollback who approved it (or who rejected it, or that no one answered).
 */
export function rollbackSummary(row: RollbackRow, approval?: ApprovalRow): string {
  const target = row.target_version !== null ? `v${row.target_version}` : String(row.input.target);
  if (row.release_id && row.release_version !== null) {
    const approved = approval?.status === 'approved' && approval.decided_by ? `, approved by ${approval.decided_by}` : '';
    return `Rolled back ${row.app_name} to ${target}: new release v${row.release_version} ("Rollback to ${target}")${approved}`;
  }
  if (approval?.status === 'rejected') return `Did not roll back ${row.app_name} to ${target}: rejected by ${approval.decided_by ?? 'someone'}${approval.reason ? ` (${approval.reason})` : ''}`;
  if (approval?.status === 'expired') return `Did not roll back ${row.app_name} to ${target}: the approval request expired after ${approval.timeout_seconds} s without an answer`;
  if (row.status === 'cancelled') return `Rollback of ${row.app_name} to ${target} was cancelled`;
  return `Rollback of ${row.app_name} to ${target} failed: ${row.error ?? 'unknown error'}`;
}
