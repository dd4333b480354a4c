import type { ChangeKindName } from './change-kinds';

/** One change as `GET /api/changes` and the Nexus operation `changesBefore` answer it (CONTRACT §6). */
export interface ChangeView {
  id: string;
  kind: ChangeKindName;
  summary: string;
  app: string;
  serviceIds: string[];
  actor: { email: string } | null;
  occurredAt: string;
  data: Record<string, unknown>;
  /** The release id a rollback from this release would go back to, or null. */
  rollbackTarget: string | null;
}

export interface ChangeRow {
  id: string;
  kind: ChangeKindName;
  summary: string;
  app_name: string;
  data: Record<string, unknown>;
  occurred_at: Date;
  seq: string;
  service_ids: string[];
  rollback_target: string | null;
}

/** Keys that may name a config var's value in some payload: never shown (CONTRACT §6), whatever made the pulse. */
const VALUE_KEYS = new Set(['value', 'values', 'configVars', 'config_vars', 'env']);

/** Heroku's rollback release: a release pulse (its text fixed by CONTRACT §5) whose description says so. */
const ROLLBACK_DESCRIPTION = /^Rollback to v\d+$/;

/** As a change, a rollback release is a `rollback`, whoever asked Heroku for it (dynopulse, the CLI, the dashboard). */
function kindOf(row: ChangeRow): ChangeKindName {
  const description = row.data['description'];
  return row.kind === 'release' && typeof description === 'string' && ROLLBACK_DESCRIPTION.test(description) ? 'rollback' : row.kind;
}

export function changeView(row: ChangeRow): ChangeView {
  const email = row.data['userEmail'];
  const data = Object.fromEntries(Object.entries(row.data).filter(([k]) => !VALUE_KEYS.has(k)));
  return {
    id: row.id,
    kind: kindOf(row),
    summary: row.summary,
    app: row.app_name,
    serviceIds: row.service_ids,
    actor: typeof email === 'string' && email !== '' ? { email } : null,
    occurredAt: row.occurred_at.toISOString(),
    data,
    rollbackTarget: row.rollback_target,
  };
}

/** A build or release that failed: the picture marks it. */
export const isFailedChange = (c: Pick<ChangeView, 'kind' | 'data'>) => (c.kind === 'build' || c.kind === 'release') && c.data['status'] === 'failed';
