import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'mocha';
import { connectIntegration } from '../support/fixtures';
import { startStack, type Stack } from '../support/stack';

interface ListedIntegration {
  id: string;
  orgId: string;
  status: string;
  statusReason: string | null;
  account: { id: string | null; email: string | null };
  apps: string[];
  createdAt: string;
  updatedAt: string;
}

/** GET /api/integrations/heroku: the console's list of integrations (an addition to CONTRACT §3). */
describe('GET /api/integrations/heroku (integration list)', () => {
  let stack: Stack;
  const org = `org-list-${randomUUID().slice(0, 8)}`;

  before(async () => {
    stack = await startStack({ inProcessWorker: false });
  });
  after(() => stack.close());

  const create = async (orgId: string, apps: string[]): Promise<string> => {
    const res = await stack.api('/api/integrations/heroku', { method: 'POST', body: JSON.stringify({ orgId, apps }) });
    assert.equal(res.status, 201, await res.clone().text());
    return ((await res.json()) as { id: string }).id;
  };
  /** One page: `query` is a query string, or the path of a Link header's next page. */
  const list = async (query: string): Promise<{ items: ListedIntegration[]; next: string | undefined; status: number }> => {
    const res = await stack.api(query.startsWith('/') ? query : `/api/integrations/heroku${query}`);
    const next = /<([^>]+)>; rel="next"/.exec(res.headers.get('link') ?? '')?.[1];
    return { status: res.status, items: res.status === 200 ? ((await res.json()) as ListedIntegration[]) : [], next: next && new URL(next).pathname + new URL(next).search };
  };

  it('lists an org’s integrations newest first with status, reason, account and watched apps', async () => {
    const first = await create(org, ['list-a', 'list-b']);
    const connected = await connectIntegration(stack, { orgId: org, apps: ['list-c'] });
    const broken = await create(org, []);
    await stack.h.db('integrations').where({ id: broken }).update({ status: 'error', status_reason: 'reconnect needed: the refresh token was refused' });
    await stack.h.db('integration_apps').where({ integration_id: first, app_name: 'list-b' }).update({ desired: false, status: 'removing' });
    await create(`other-${org}`, ['elsewhere']);

    const { status, items } = await list(`?orgId=${org}`);
    assert.equal(status, 200);
    assert.deepEqual(
      items.map((i) => i.id),
      [broken, connected.integrationId, first],
    );
    const [errored, active, pending] = items as [ListedIntegration, ListedIntegration, ListedIntegration];
    assert.equal(errored.status, 'error');
    assert.equal(errored.statusReason, 'reconnect needed: the refresh token was refused');
    assert.deepEqual(active.account, { id: connected.accountId, email: connected.accountEmail });
    assert.deepEqual(active.apps, ['list-c']);
    assert.equal(pending.status, 'pending');
    assert.deepEqual(pending.apps, ['list-a'], 'an app being removed is no longer listed as watched');
    assert.deepEqual(pending.account, { id: null, email: null });
    assert.ok(!Number.isNaN(Date.parse(pending.createdAt)));
  });

  it('pages with a Link header whose cursor stays stable while new integrations arrive', async () => {
    const pagedOrg = `org-page-${randomUUID().slice(0, 8)}`;
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await create(pagedOrg, []));
    const newestFirst = [...ids].reverse();

    const page1 = await list(`?orgId=${pagedOrg}&limit=2`);
    assert.deepEqual(page1.items.map((i) => i.id), newestFirst.slice(0, 2));
    assert.ok(page1.next);
    await create(pagedOrg, []); // arrives between pages: must not shift them
    const page2 = await list(page1.next);
    assert.deepEqual(page2.items.map((i) => i.id), newestFirst.slice(2, 4));
    const page3 = await list(page2.next as string);
    assert.deepEqual(page3.items.map((i) => i.id), newestFirst.slice(4));
    assert.equal(page3.next, undefined);
  });

  it('lists every org without orgId, and refuses bad input with 400', async () => {
    const { items } = await list('?limit=500');
    assert.ok(items.some((i) => i.orgId === org) && items.some((i) => i.orgId === `other-${org}`));
    for (const query of ['?limit=0', '?limit=501', '?cursor=not-a-cursor', `?orgId=${'x'.repeat(201)}`]) {
      assert.equal((await list(query)).status, 400, query);
    }
  });

  it('needs the admin token', async () => {
    assert.equal((await fetch(`${stack.apiUrl}/api/integrations/heroku`)).status, 401);
  });
});
