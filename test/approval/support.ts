import { runTag } from '../../src/activities/command-run/dyno';
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

/**
 * The dynos Heroku started for run `runId` on `app`, known by the run's tag at the head of their
 * command (as dynopulse finds its own dyno again). Per run, so a run of an earlier test that is
 * still starting its dyno cannot be counted here: nothing may reach Heroku's dynos before approval.
 */
export const dynosOfRun = (stack: Stack, app: string, runId: string) =>
  stack.heroku.dynos(app).filter((d) => d.spec.command.startsWith(runTag(runId))).length;
