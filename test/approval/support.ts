import type { Stack } from '../support/stack';
import { getRun, waitFor, type RunView } from '../command-runs/support';

/** The `approval` object of GET /api/command-runs/:id (CONTRACT §6). */
export interface ApprovalView {
  status: string;
  requestedBy: string | null;
  decidedBy: string | null;
  decidedAt: string | null;
  reason: string | null;
  renderedCommand: string | null;
  approvers: string[] | null;
  expiresAt: string;
  decidedVia: string | null;
}
export type GatedRunView = RunView & { approval: ApprovalView | null };

/** Every final status, the gate's included. */
export const FINAL = ['succeeded', 'failed', 'timed_out', 'cancelled', 'rejected', 'expired'];

export const gatedRun = async (stack: Stack, id: string) => (await getRun(stack, id)) as GatedRunView;

/** Waits until the run is waiting for a decision (its Update handlers are then registered). */
export function awaitingApproval(stack: Stack, id: string): Promise<GatedRunView> {
  return waitFor(`run ${id} to await approval`, () => getRun(stack, id).catch(() => undefined), (r) => r?.status === 'awaiting_approval') as Promise<GatedRunView>;
}

/** POST /api/command-runs/:id/approve|reject. */
export async function decide(stack: Stack, id: string, kind: 'approve' | 'reject', body: Record<string, unknown>): Promise<{ status: number; json: Record<string, unknown> & { error?: { code: string; message: string } } }> {
  const res = await stack.api(`/api/command-runs/${encodeURIComponent(id)}/${kind}`, { method: 'POST', body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

/** Dyno creations on `app` in the Heroku simulator's call log: nothing may reach Heroku's dynos before approval. */
export const dynoCreates = (stack: Stack, app: string) => stack.heroku.calls.filter((c) => c.method === 'POST' && c.path === `/apps/${app}/dynos`).length;
