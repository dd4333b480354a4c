import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { storeTokens } from '../../src/heroku/integration-tokens';
import type { OAuthScope } from '../simulators/heroku/model';
import { waitFor } from '../command-runs/support';
import type { ConnectedIntegration } from '../support/fixtures';
import { OAUTH_CLIENT, type Stack } from '../support/stack';

/** A rollback as `GET /api/rollbacks/:id` shows it. */
export interface RollbackView {
  id: string;
  status: string;
  appName: string;
  targetReleaseId: string | null;
  targetVersion: number | null;
  releaseId: string | null;
  releaseVersion: number | null;
  error: string | null;
  approval: unknown;
  startedAt: string;
  finishedAt: string | null;
  workflowId: string;
  slack: { channel: string; channelId: string | null; status: string; error: string | null }[];
  timelineEventId: string | null;
  releasePulseId: string | null;
}

export const FINAL_ROLLBACK = ['succeeded', 'failed', 'cancelled'];

export async function postRollback(stack: Stack, body: Record<string, unknown>): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await stack.api('/api/rollbacks', { method: 'POST', body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

export async function getRollback(stack: Stack, id: string): Promise<RollbackView> {
  const res = await stack.api(`/api/rollbacks/${encodeURIComponent(id)}`);
  assert.equal(res.status, 200, `GET rollback ${id}: ${res.status}`);
  return (await res.json()) as RollbackView;
}

/** Starts a rollback through the API and waits for its final status. */
export async function rollbackToEnd(stack: Stack, body: Record<string, unknown>): Promise<RollbackView> {
  const id = (body['id'] as string | undefined) ?? randomUUID();
  const posted = await postRollback(stack, { ...body, id });
  assert.equal(posted.status, 202, JSON.stringify(posted.json));
  return waitFor(`rollback ${id} to end`, () => getRollback(stack, id), (r) => FINAL_ROLLBACK.includes(r.status));
}

/** The app's releases described `Rollback to v<version>` (what a user counts in `heroku releases`). */
export function rollbackReleases(stack: Stack, app: string, version: number) {
  return stack.heroku.releases(app).filter((r) => r.description === `Rollback to v${version}`);
}

/** Replaces the integration's tokens with a fresh authorization of this scope (as if reconnected with it). */
export async function narrowScope(stack: Stack, integration: ConnectedIntegration, scope: OAuthScope[]): Promise<void> {
  const creds = stack.heroku.authorize(integration.accountId, { clientId: OAUTH_CLIENT.id, scope });
  await storeTokens(stack.h.db, stack.h.box, integration.integrationId, { accessToken: creds.accessToken, refreshToken: creds.refreshToken, expiresAt: creds.expiresAt, userId: integration.accountId });
}
