import assert from 'node:assert/strict';
import { after, before, describe, it } from 'mocha';
import { connectIntegration, type ConnectedIntegration } from '../support/fixtures';
import { startStack, type Stack } from '../support/stack';
import { assertAllAccepted, getPage, pulsesOf, putService, uniqueName, type PulseJson } from './support';

const whenOf = (p: PulseJson) => p.endedAt ?? p.startedAt;

describe('GET /api/pulses: filters, newest first, cursor pages', () => {
  let stack: Stack;
  let integration: ConnectedIntegration;
  let web: string;
  let worker: string;
  let serviceId: string;

  async function deploy(app: string, options: Parameters<Stack['heroku']['deploy']>[1] = {}): Promise<void> {
    const summary = await stack.heroku.deploy(app, options);
    await stack.heroku.waitForDeliveriesSettled();
    assertAllAccepted(stack.heroku, summary.eventIds);
  }

  before(async () => {
    stack = await startStack();
    [web, worker] = [uniqueName('web'), uniqueName('worker')];
    integration = await connectIntegration(stack, { apps: [web, worker] });
    serviceId = `${integration.orgId}-web`;
    await putService(stack, serviceId, { orgId: integration.orgId, name: 'Web', herokuAppName: web });
    await deploy(web);
    await deploy(worker, { fail: true });
    await deploy(web, { releasePhase: true });
  });
  after(async () => {
    await stack.close();
  });

  it('lists an org’s pulses newest first, in the CONTRACT §3 shape', async () => {
    const pulses = await pulsesOf(stack, { orgId: integration.orgId });
    assert.equal(pulses.length, 8);
    for (const p of pulses) {
      assert.deepEqual(Object.keys(p).sort(), ['data', 'endedAt', 'id', 'labels', 'serviceIds', 'source', 'startedAt', 'summary']);
    }
    for (let i = 1; i < pulses.length; i++) {
      assert.ok(whenOf(pulses[i - 1] as PulseJson) >= whenOf(pulses[i] as PulseJson), 'newest first');
    }
    assert.equal(pulses[0]?.summary.startsWith('[Heroku][Release] '), true, 'the last release is the newest pulse');
  });

  it('filters by app and by service', async () => {
    const ofWorker = await pulsesOf(stack, { orgId: integration.orgId, app: worker });
    assert.deepEqual(ofWorker.map((p) => p.summary).sort(), [`[Heroku][Build] ${worker} failed`, `[Heroku][Build] ${worker} pending`]);
    const ofWeb = await pulsesOf(stack, { orgId: integration.orgId, app: web });
    assert.equal(ofWeb.length, 6);
    assert.deepEqual(await pulsesOf(stack, { orgId: integration.orgId, app: web.toUpperCase() }), [], 'app names match exactly');
    const ofService = await pulsesOf(stack, { orgId: integration.orgId, serviceId });
    assert.deepEqual(
      ofService.map((p) => p.id),
      ofWeb.map((p) => p.id),
    );
    assert.deepEqual(await pulsesOf(stack, { orgId: integration.orgId, app: worker, serviceId }), []);
  });

  it('is scoped to one org: another org sees none of them', async () => {
    assert.deepEqual(await pulsesOf(stack, { orgId: uniqueName('org') }), []);
    const res = await stack.api('/api/pulses');
    assert.equal(res.status, 400);
    assert.match(((await res.json()) as { error: { message: string } }).error.message, /orgId/);
  });

  it('pages with Link rel="next"; pages stay stable while new pulses arrive', async () => {
    const all = await pulsesOf(stack, { orgId: integration.orgId });
    const first = await getPage<PulseJson>(stack, `/api/pulses?orgId=${integration.orgId}&limit=3`);
    assert.equal(first.status, 200);
    assert.deepEqual(first.items, all.slice(0, 3));
    assert.ok(first.next?.startsWith(`${stack.apiUrl}/api/pulses?`), `absolute next URL: ${first.next}`);

    await deploy(web); // three newer pulses arrive between two page requests
    const seen = [...first.items];
    let next = first.next;
    while (next !== null) {
      const page = await getPage<PulseJson>(stack, next.replace(stack.apiUrl, ''));
      assert.equal(page.status, 200);
      assert.ok(page.items.length <= 3);
      seen.push(...page.items);
      next = page.next;
    }
    assert.deepEqual(
      seen.map((p) => p.id),
      all.map((p) => p.id),
      'no pulse repeated or skipped, the new ones do not shift the pages',
    );
    assert.equal((await pulsesOf(stack, { orgId: integration.orgId })).length, 11);
  });

  it('defaults to 50 and accepts at most 500', async () => {
    assert.equal((await getPage(stack, `/api/pulses?orgId=${integration.orgId}`)).next, null);
    for (const limit of ['0', '501', 'abc', '2.5', '-1']) {
      const res = await stack.api(`/api/pulses?orgId=${integration.orgId}&limit=${limit}`);
      assert.equal(res.status, 400, `limit=${limit}`);
    }
    assert.equal((await stack.api(`/api/pulses?orgId=${integration.orgId}&limit=500`)).status, 200);
  });

  it('400 for a cursor it did not hand out', async () => {
    for (const cursor of ['nonsense', Buffer.from('{"occurredAt":"x","seq":"1"}').toString('base64url'), Buffer.from('{"id":"a"}').toString('base64url')]) {
      const res = await stack.api(`/api/pulses?orgId=${integration.orgId}&cursor=${cursor}`);
      assert.equal(res.status, 400);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'invalid_cursor');
    }
  });

  it('requires the admin token', async () => {
    assert.equal((await fetch(`${stack.apiUrl}/api/pulses?orgId=${integration.orgId}`)).status, 401);
  });
});
