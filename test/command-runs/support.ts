import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import type { RunCommandResult } from '../../src/command-runs/input';
import { workflowIdForRun } from '../../src/command-runs/run-id';
import { connectIntegration, type ConnectedIntegration } from '../support/fixtures';
import { startStack, type Stack, type StackOptions } from '../support/stack';

/** A run as `GET /api/command-runs/:id` shows it. */
export interface RunView {
  id: string;
  status: string;
  appName: string;
  dynoId: string | null;
  dynoName: string | null;
  dynoSize: string | null;
  timeToLiveSeconds: number;
  exitCode: number | null;
  timedOut: boolean;
  outputBytes: number;
  startedAt: string;
  finishedAt: string | null;
  error: string | null;
  workflowId: string;
  command: string | null;
  slack: { channel: string; channelId: string | null; status: string; error: string | null }[];
  timelineEventId: string | null;
}

export const FINAL = ['succeeded', 'failed', 'timed_out', 'cancelled'];

/** A stack with one connected integration owning `apps`, and Slack channels #ops (C1, bot member) and #quiet (C2, not a member). */
export async function startRunStack(options: { apps?: { name: string; configVars?: Record<string, string>; generation?: 'cedar' | 'fir'; formation?: Record<string, number> }[]; stack?: StackOptions } = {}): Promise<{ stack: Stack; integration: ConnectedIntegration }> {
  const stack = await startStack({
    slack: { channels: [{ id: 'C1', name: 'ops', isMember: true }, { id: 'C2', name: 'quiet', isMember: false }, { id: 'C3', name: 'oncall', isMember: true }] },
    ...options.stack,
  });
  const integration = await connectIntegration(stack, { apps: options.apps ?? [{ name: 'app-one', configVars: { DATABASE_URL: 'postgres://u:s3cr3t-pass@db.internal/x' } }] });
  return { stack, integration };
}

export async function postRun(stack: Stack, body: Record<string, unknown>): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await stack.api('/api/command-runs', { method: 'POST', body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

export async function getRun(stack: Stack, id: string): Promise<RunView> {
  const res = await stack.api(`/api/command-runs/${encodeURIComponent(id)}`);
  assert.equal(res.status, 200, `GET run ${id}: ${res.status}`);
  return (await res.json()) as RunView;
}

export async function getOutput(stack: Stack, id: string): Promise<string> {
  const res = await stack.api(`/api/command-runs/${encodeURIComponent(id)}/output?follow=false`);
  assert.equal(res.status, 200);
  return res.text();
}

/** Polls until `check` passes (no fixed sleeps; generous deadline for a busy 2-core machine). */
export async function waitFor<T>(what: string, probe: () => Promise<T>, check: (value: T) => boolean, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (check(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The workflow's result (the run ended normally) through Temporal. */
export async function resultOf(stack: Stack, runId: string): Promise<RunCommandResult> {
  const handle: WorkflowHandle = stack.h.temporal.workflow.getHandle(workflowIdForRun(runId));
  return (await handle.result()) as RunCommandResult;
}

/** The workflow's failure message (the run ended with a failure) through Temporal. */
export async function failureOf(stack: Stack, workflowId: string): Promise<{ message: string; type: string | undefined }> {
  try {
    await stack.h.temporal.workflow.getHandle(workflowId).result();
  } catch (err) {
    assert.ok(err instanceof WorkflowFailedError, `expected a failed workflow, got ${String(err)}`);
    const cause = err.cause as (Error & { type?: string }) | undefined;
    return { message: cause?.message ?? err.message, type: cause?.type };
  }
  throw new Error(`workflow ${workflowId} completed; expected it to fail`);
}

/** Starts a run through the API and waits for its final status. */
export async function runToEnd(stack: Stack, body: Record<string, unknown>): Promise<RunView> {
  const id = (body['id'] as string | undefined) ?? randomUUID();
  const posted = await postRun(stack, { ...body, id });
  assert.equal(posted.status, 202, JSON.stringify(posted.json));
  return waitFor(`run ${id} to end`, () => getRun(stack, id), (r) => FINAL.includes(r.status));
}
