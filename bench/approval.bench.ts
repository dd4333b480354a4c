import { randomUUID } from 'node:crypto';
import { connectIntegration } from '../test/support/fixtures';
import { startStack, type Stack } from '../test/support/stack';
import type { BenchResult } from './run';

export const name = 'approval-gate';

const RUNS = 15;
const APP = 'bench-gated';

/**
 * The approval gate (issue 20): how long from `POST /api/command-runs/:id/approve` being sent to
 * the dyno create request reaching Heroku (the simulator's call log), median over sequential runs;
 * how long the approve request itself takes to answer (the Update accepted and recorded); and, as
 * the baseline, the same dyno wait from `POST /api/command-runs` of a run without approval.
 */
export async function run(): Promise<BenchResult> {
  const stack = await startStack({ slack: { channels: [{ id: 'C1', name: 'ops', isMember: true }] } });
  try {
    const integration = await connectIntegration(stack, { apps: [APP] });
    const approveToDyno: number[] = [];
    const approveAnswer: number[] = [];
    const startToDyno: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const id = `bench-gated-${randomUUID()}`;
      await post(stack, '/api/command-runs', { id, integrationId: integration.integrationId, appName: APP, command: 'true', approval: { timeoutSeconds: 600 } }, 202);
      await until(async () => (await (await stack.api(`/api/command-runs/${id}`)).json() as { status: string }).status === 'awaiting_approval');
      const creates = dynoCreates(stack);
      const sent = Date.now();
      await post(stack, `/api/command-runs/${id}/approve`, { by: 'lead@example.com' }, 200);
      approveAnswer.push(Date.now() - sent);
      approveToDyno.push((await nextDynoCreate(stack, creates)) - sent);
      await until(async () => (await (await stack.api(`/api/command-runs/${id}`)).json() as { finishedAt: string | null }).finishedAt !== null);

      const plainId = `bench-plain-${randomUUID()}`;
      const plainCreates = dynoCreates(stack);
      const started = Date.now();
      await post(stack, '/api/command-runs', { id: plainId, integrationId: integration.integrationId, appName: APP, command: 'true' }, 202);
      startToDyno.push((await nextDynoCreate(stack, plainCreates)) - started);
      await until(async () => (await (await stack.api(`/api/command-runs/${plainId}`)).json() as { finishedAt: string | null }).finishedAt !== null);
    }
    const medianApproveToDyno = median(approveToDyno);
    return {
      figures: {
        runs: RUNS,
        approveToDynoCreateMsMedian: medianApproveToDyno,
        approveToDynoCreateMsMax: Math.max(...approveToDyno),
        approveAnswerMsMedian: median(approveAnswer),
        baselineStartToDynoCreateMsMedian: median(startToDyno),
      },
      goals: [{ description: `approve → dyno create median under 1 s (${medianApproveToDyno} ms)`, met: medianApproveToDyno < 1000 }],
      notes: ['dev server and PostgreSQL on this machine; sequential runs; the baseline includes rendering and reading config vars, which a gated run did before approval'],
    };
  } finally {
    await stack.close();
  }
}

async function post(stack: Stack, path: string, body: unknown, expected: number): Promise<void> {
  const res = await stack.api(path, { method: 'POST', body: JSON.stringify(body) });
  if (res.status !== expected) throw new Error(`POST ${path}: ${res.status} ${await res.text()}`);
}

const dynoCreates = (stack: Stack) => stack.heroku.calls.filter((c) => c.method === 'POST' && c.path === `/apps/${APP}/dynos`);

/** When the next dyno create request (after the `before` ones) reached the simulator. */
async function nextDynoCreate(stack: Stack, before: unknown[]): Promise<number> {
  let created: { at: Date } | undefined;
  await until(async () => (created = dynoCreates(stack)[before.length]) !== undefined);
  return (created as { at: Date }).at.getTime();
}

async function until(check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
