import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'mocha';
import { connectIntegration, type ConnectedIntegration } from '../support/fixtures';
import { startStack, type Stack } from '../support/stack';

interface ListedRun {
  id: string;
  status: string;
  integrationId: string;
  appName: string;
  incidentId: string | null;
  exitCode: number | null;
  timedOut: boolean;
  outputBytes: number;
  startedAt: string;
  finishedAt: string | null;
}

/** GET /api/command-runs: the console's list of runs (an addition to CONTRACT §3). */
describe('GET /api/command-runs (command run list)', () => {
  let stack: Stack;
  let integration: ConnectedIntegration;
  let other: ConnectedIntegration;
  const started: string[] = [];

  before(async () => {
    // No worker: the runs stay `pending`, which is all a list needs.
    stack = await startStack({ inProcessWorker: false });
    integration = await connectIntegration(stack, { apps: ['runs-web', 'runs-api'] });
    other = await connectIntegration(stack, { apps: ['runs-other'] });
    for (const [i, app] of ['runs-web', 'runs-api', 'runs-web'].entries()) {
      started.push(await startRun(integration.integrationId, app, i === 2 ? 'INC-LIST-1' : undefined));
    }
    await startRun(other.integrationId, 'runs-other');
  });
  after(() => stack.close());

  const startRun = async (integrationId: string, appName: string, incidentId?: string): Promise<string> => {
    const id = randomUUID();
    const body = { id, integrationId, appName, command: 'echo hi', ...(incidentId ? { incident: { id: incidentId, title: 'Listing' } } : {}) };
    const res = await stack.api('/api/command-runs', { method: 'POST', body: JSON.stringify(body) });
    assert.equal(res.status, 202, await res.clone().text());
    return id;
  };
  /** One page: `query` is a query string, or the path of a Link header's next page. */
  const list = async (query: string): Promise<{ status: number; items: ListedRun[]; next: string | undefined }> => {
    const res = await stack.api(query.startsWith('/') ? query : `/api/command-runs${query}`);
    const link = /<([^>]+)>; rel="next"/.exec(res.headers.get('link') ?? '')?.[1];
    return { status: res.status, items: res.status === 200 ? ((await res.json()) as ListedRun[]) : [], next: link && `${new URL(link).pathname}${new URL(link).search}` };
  };

  it('lists an integration’s runs newest first, each as a summary', async () => {
    await stack.h.db('command_runs').where({ id: started[0] }).update({ status: 'failed', exit_code: 3, output_bytes: 42, finished_at: new Date() });
    const { status, items } = await list(`?integrationId=${integration.integrationId}`);
    assert.equal(status, 200);
    assert.deepEqual(items.map((r) => r.id), [...started].reverse());
    const oldest = items[2] as ListedRun;
    assert.deepEqual(
      { status: oldest.status, appName: oldest.appName, integrationId: oldest.integrationId, exitCode: oldest.exitCode, outputBytes: oldest.outputBytes, timedOut: oldest.timedOut },
      { status: 'failed', appName: 'runs-web', integrationId: integration.integrationId, exitCode: 3, outputBytes: 42, timedOut: false },
    );
    assert.ok(oldest.finishedAt && !Number.isNaN(Date.parse(oldest.startedAt)));
    assert.equal((items[1] as ListedRun).finishedAt, null);
  });

  it('filters by app and by incident', async () => {
    assert.deepEqual((await list(`?integrationId=${integration.integrationId}&appName=runs-api`)).items.map((r) => r.id), [started[1]]);
    assert.deepEqual((await list('?incidentId=INC-LIST-1')).items.map((r) => r.id), [started[2]]);
  });

  it('pages with a Link header, stable while new runs start', async () => {
    const page1 = await list(`?integrationId=${integration.integrationId}&limit=2`);
    assert.deepEqual(page1.items.map((r) => r.id), [started[2], started[1]]);
    assert.ok(page1.next);
    await startRun(integration.integrationId, 'runs-api');
    const page2 = await list(page1.next);
    assert.deepEqual(page2.items.map((r) => r.id), [started[0]]);
    assert.equal(page2.next, undefined);
  });

  it('refuses bad input with 400 and needs the admin token', async () => {
    for (const query of ['?integrationId=not-a-uuid', '?limit=0', '?cursor=garbage']) assert.equal((await list(query)).status, 400, query);
    assert.equal((await fetch(`${stack.apiUrl}/api/command-runs`)).status, 401);
  });
});
