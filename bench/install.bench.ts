import { HerokuClient } from '../src/heroku/client';
import { createAppWebhook, listAppWebhooks } from '../src/heroku/webhooks';
import { APP_CONCURRENCY } from '../src/integrations/model';
import { consent, createIntegration, openCallback, ourWebhooksOn } from '../test/integrations/support';
import { startStack, type Stack } from '../test/support/stack';
import type { BenchResult } from './run';

export const name = 'install: webhook sync of 200 apps (50 ms per Heroku call)';

const APPS = 200;
const LATENCY_MS = 50;

const seconds = (ms: number) => Math.round(ms) / 1000;

/** Platform API calls answered since `from`, and how many of them created a webhook. */
function countCalls(stack: Stack, from: number): { calls: number; creates: number } {
  const calls = stack.heroku.calls.slice(from).filter((c) => c.host === 'api');
  return { calls: calls.length, creates: calls.filter((c) => c.method === 'POST' && /^\/apps\/[^/]+\/webhooks$/.test(c.path)).length };
}

/**
 * Install of 200 apps through the real OAuth flow, the real Temporal server and PostgreSQL,
 * against the Heroku simulator answering every call after 50 ms; then a re-sync of the same
 * apps (PUT of the same list), which must create nothing. Baseline, same run and simulator: the
 * naive loop (list, then create, app after app) with the same client and no Temporal.
 */
export async function run(): Promise<BenchResult> {
  const stack = await startStack({ heroku: { latencyMs: LATENCY_MS } });
  try {
    const owner = stack.heroku.createAccount({ email: 'bench@example.com' });
    const apps = Array.from({ length: APPS }, (_, i) => `bench-${String(i).padStart(3, '0')}`);
    const baselineApps = apps.map((a) => `base-${a.slice(6)}`);
    for (const app of [...apps, ...baselineApps]) stack.heroku.createApp({ name: app, owner: owner.id });

    // Baseline: sequential list + create per app.
    const creds = stack.heroku.authorize(owner.id);
    const direct = new HerokuClient({ apiUrl: stack.heroku.apiUrl, tokens: { get: async () => creds.accessToken, refresh: async () => creds.accessToken } });
    let mark = stack.heroku.calls.length;
    let t0 = performance.now();
    for (const app of baselineApps) {
      await listAppWebhooks(direct, app);
      await createAppWebhook(direct, app, { url: `${stack.config.publicUrl}/webhooks/heroku/baseline`, secret: 'baseline-secret-0123456789' });
    }
    const baselineMs = performance.now() - t0;
    const baseline = countCalls(stack, mark);

    // Install: from the OAuth callback to the end of InstallHerokuIntegration.
    const created = await createIntegration(stack, { orgId: 'bench', apps });
    const callback = await consent(created.authorizeUrl);
    mark = stack.heroku.calls.length;
    t0 = performance.now();
    const answer = await openCallback(callback);
    if (answer.status !== 200) throw new Error(`callback answered ${answer.status}: ${await answer.text()}`);
    const { workflowId } = (await answer.json()) as { workflowId: string };
    const installResult = (await stack.h.temporal.workflow.getHandle(workflowId).result()) as { status: string };
    const installMs = performance.now() - t0;
    const install = countCalls(stack, mark);
    const tokenCalls = stack.heroku.calls.slice(mark).filter((c) => c.host === 'id').length;
    const oneWebhookEach = apps.every((app) => ourWebhooksOn(stack, app, created.id).length === 1);

    // Re-sync of the same 200 apps.
    mark = stack.heroku.calls.length;
    t0 = performance.now();
    const put = await stack.api(`/api/integrations/heroku/${created.id}/apps`, { method: 'PUT', body: JSON.stringify({ apps }) });
    if (put.status !== 202) throw new Error(`PUT apps answered ${put.status}: ${await put.text()}`);
    const sync = (await put.json()) as { workflowId: string };
    await stack.h.temporal.workflow.getHandle(sync.workflowId).result();
    const resyncMs = performance.now() - t0;
    const resync = countCalls(stack, mark);

    return {
      figures: {
        apps: APPS,
        herokuLatencyMs: LATENCY_MS,
        appConcurrency: APP_CONCURRENCY,
        installStatus: installResult.status,
        installWallSeconds: seconds(installMs),
        installApiCalls: install.calls,
        installTokenEndpointCalls: tokenCalls,
        installApiCallsPerApp: install.calls / APPS,
        installWebhookCreates: install.creates,
        resyncWallSeconds: seconds(resyncMs),
        resyncApiCalls: resync.calls,
        resyncApiCallsPerApp: resync.calls / APPS,
        resyncWebhookCreates: resync.creates,
        baselineSequentialWallSeconds: seconds(baselineMs),
        baselineApiCalls: baseline.calls,
        installSpeedupVsSequential: baselineMs / installMs,
      },
      goals: [
        { description: 'install ends connected with exactly one webhook per app', met: installResult.status === 'connected' && oneWebhookEach },
        { description: 're-sync of the same 200 apps makes no create call', met: resync.creates === 0 },
      ],
      notes: [
        'install = OAuth callback → InstallHerokuIntegration completed (code exchange, GET /account, GET /oauth/authorizations, list + create per app)',
        're-sync = PUT of the same app list → SyncHerokuIntegrationApps completed (one list call per app, nothing to change)',
        'baseline = the same list + create per app, sequential, same client and simulator, no Temporal',
      ],
    };
  } finally {
    await stack.close();
  }
}
