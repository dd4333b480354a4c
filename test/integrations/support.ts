import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { WorkflowFailedError, type WorkflowExecutionStatusName } from '@temporalio/client';
import { webhookSecretAad } from '../../src/crypto/aad';
import type { IntegrationView } from '../../src/integrations/integration-store';
import type { WebhookSubscription } from '../simulators/heroku';
import type { Stack } from '../support/stack';

/** What POST /api/integrations/heroku and the OAuth round trip gave back. */
export interface InstallStarted {
  integrationId: string;
  workflowId: string;
  authorizeUrl: string;
  /** Where id.heroku.com sent the browser back (carries the code and state). */
  callbackUrl: string;
  accountId: string;
}

/** POST /api/integrations/heroku; fails the test unless it answers 201. */
export async function createIntegration(stack: Stack, body: { orgId?: string; apps: string[] }): Promise<{ id: string; authorizeUrl: string }> {
  const res = await stack.api('/api/integrations/heroku', { method: 'POST', body: JSON.stringify({ orgId: body.orgId ?? `org-${randomUUID().slice(0, 8)}`, apps: body.apps }) });
  assert.equal(res.status, 201, await res.clone().text());
  return (await res.json()) as { id: string; authorizeUrl: string };
}

/**
 * The browser part of the OAuth flow: open the authorize URL on the simulated id.heroku.com (the
 * logged-in user consents at once) and return the callback URL it redirects to.
 */
export async function consent(authorizeUrl: string): Promise<string> {
  const res = await fetch(authorizeUrl, { redirect: 'manual' });
  assert.equal(res.status, 302, `authorize answered ${res.status}: ${await res.text()}`);
  const location = res.headers.get('location');
  assert.ok(location, 'authorize redirect without Location');
  return location;
}

/** GET the OAuth callback like a script would (JSON answer). */
export function openCallback(callbackUrl: string, accept = 'application/json'): Promise<Response> {
  return fetch(callbackUrl, { headers: { Accept: accept }, redirect: 'manual' });
}

/**
 * A Heroku account owning `apps` (those that do not exist yet are created, unless listed in
 * `missing`), then the whole install flow through the API: create, consent, callback.
 */
export async function installThroughOAuth(
  stack: Stack,
  options: { apps: string[]; orgId?: string; accountId?: string; skipCreate?: string[] },
): Promise<InstallStarted> {
  const accountId = options.accountId ?? stack.heroku.createAccount({ email: `admin-${randomUUID().slice(0, 8)}@example.com` }).id;
  for (const app of options.apps) {
    if (options.skipCreate?.includes(app)) continue;
    stack.heroku.createApp({ name: app, owner: accountId });
  }
  stack.heroku.setBrowserUser(accountId);
  const created = await createIntegration(stack, { orgId: options.orgId, apps: options.apps });
  const callbackUrl = await consent(created.authorizeUrl);
  const res = await openCallback(callbackUrl);
  assert.equal(res.status, 200, await res.clone().text());
  const body = (await res.json()) as { integrationId: string; workflowId: string };
  assert.equal(body.integrationId, created.id);
  return { integrationId: created.id, workflowId: body.workflowId, authorizeUrl: created.authorizeUrl, callbackUrl, accountId };
}

export async function getIntegration(stack: Stack, id: string): Promise<IntegrationView> {
  const res = await stack.api(`/api/integrations/heroku/${id}`);
  assert.equal(res.status, 200, await res.clone().text());
  return (await res.json()) as IntegrationView;
}

/** Polls until `check` passes (it throws until then), with a generous deadline. */
export async function eventually<T>(check: () => Promise<T>, options: { timeoutMs?: number; what?: string } = {}): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 45_000);
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${options.what ?? 'a condition'}: ${(err as Error).message}`, { cause: err });
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** Waits until the integration reaches `status` and returns its view. */
export function waitForStatus(stack: Stack, id: string, status: IntegrationView['status'], timeoutMs?: number): Promise<IntegrationView> {
  return eventually(
    async () => {
      const view = await getIntegration(stack, id);
      assert.equal(view.status, status, `status is ${view.status} (${view.statusReason ?? 'no reason'})`);
      return view;
    },
    { timeoutMs, what: `integration ${id} to be ${status}` },
  );
}

/** Waits for the workflow to close and returns how it closed. */
export async function closeStatus(stack: Stack, workflowId: string): Promise<WorkflowExecutionStatusName> {
  const handle = stack.h.temporal.workflow.getHandle(workflowId);
  try {
    await handle.result();
  } catch (err) {
    if (!(err instanceof WorkflowFailedError)) throw err;
  }
  return (await handle.describe()).status.name;
}

export const ourUrl = (stack: Stack, integrationId: string) => `${stack.config.publicUrl}/webhooks/heroku/${integrationId}`;

/** The app's subscriptions pointing at this integration's URL (with the secret Heroku signs with). */
export function ourWebhooksOn(stack: Stack, app: string, integrationId: string): WebhookSubscription[] {
  return stack.heroku.webhooksOf(app).filter((w) => w.url === ourUrl(stack, integrationId));
}

/** Platform API calls answered so far, optionally only those matching method and path. */
/** Each app has exactly one webhook of ours on Heroku: the one we recorded, signing with the secret we hold. */
export async function assertOneRecordedWebhookPerApp(stack: Stack, integrationId: string, apps: string[]): Promise<void> {
  for (const app of apps) {
    const hooks = ourWebhooksOn(stack, app, integrationId);
    assert.equal(hooks.length, 1, `${app}: exactly one webhook`);
    const row = await stack.h.db('integration_apps').where({ integration_id: integrationId, app_name: app }).first();
    assert.equal(row.webhook_id, hooks[0]!.id, `${app}: the webhook we record is the one on Heroku`);
    assert.equal(stack.h.box.open(row.webhook_secret_sealed, webhookSecretAad(integrationId, app)), hooks[0]!.secret, `${app}: Heroku signs with the secret we hold`);
  }
}

export function apiCalls(stack: Stack, method?: string, path?: RegExp): number {
  return stack.heroku.calls.filter((c) => c.host === 'api' && (method === undefined || c.method === method) && (path === undefined || path.test(c.path))).length;
}

/** Token-endpoint calls (code exchanges and refreshes) answered so far. */
export function tokenCalls(stack: Stack): number {
  return stack.heroku.calls.filter((c) => c.host === 'id' && c.path === '/oauth/token').length;
}

/**
 * The attempt number each run of `activityType` reached in the workflow's history (one entry per
 * scheduled activity). An attempt > 1 on acquireLifecycleLease means the workflow had to wait.
 */
export async function activityAttempts(stack: Stack, workflowId: string, activityType: string): Promise<number[]> {
  const history = await stack.h.temporal.workflow.getHandle(workflowId).fetchHistory();
  const types = new Map<string, string>();
  const attempts: number[] = [];
  for (const event of history.events ?? []) {
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled) types.set(String(event.eventId), scheduled.activityType?.name ?? '');
    const started = event.activityTaskStartedEventAttributes;
    if (started && types.get(String(started.scheduledEventId)) === activityType) attempts.push(started.attempt ?? 0);
  }
  return attempts;
}
