import type { RollbackRow } from '../../rollbacks/rollback-store';

/** One line for Slack and the timeline: what was rolled back, to what, and how it ended. */
export function rollbackSummary(row: RollbackRow): string {
  const target = row.target_version !== null ? `v${row.target_version}` : String(row.input.target);
  if (row.release_id && row.release_version !== null) return `Rolled back ${row.app_name} to ${target}: new release v${row.release_version} ("Rollback to ${target}")`;
  if (row.status === 'cancelled') return `Rollback of ${row.app_name} to ${target} was cancelled`;
  return `Rollback of ${row.app_name} to ${target} failed: ${row.error ?? 'unknown error'}`;
}
