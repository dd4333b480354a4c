import assert from 'node:assert/strict';
import { after, before, describe, it } from 'mocha';
import { connectIntegration, type ConnectedIntegration } from '../support/fixtures';
import { startStack, type Stack } from '../support/stack';
import { assertAllAccepted, getPage, putService, uniqueName } from '../pulses/support';
import { recordHandMadeChange, type ChangeJson } from './support';

const HOUR = 3600_000;

describe('GET /api/changes: what changed before an instant', () => {
  let stack: Stack;
  let integration: ConnectedIntegration;
  let web: string;
  let worker: string;
  let serviceId: string;
  let firstRelease: { id: string; version: number };
  let secondRelease: { id: string; version: number };
  const handMade = new Map<string, string>(); // kind -> pulse id
  let oldConfigId: string;
  const secretValue = `s3cr3t-${uniqueName('value')}`;

  async function deploy(app: string, options: Parameters<Stack['heroku']['deploy']>[1] = {}) {
    const summary = await stack.heroku.deploy(app, options);
    await stack.heroku.waitForDeliveriesSettled();
    assertAllAccepted(stack.heroku, summary.eventIds);
    return summary;
  }
  const changes = async (query: Record<string, string>) => {
    const page = await getPage<ChangeJson>(stack, `/api/changes?${new URLSearchParams({ orgId: integration.orgId, limit: '500', ...query }).toString()}`);
    assert.equal(page.status, 200);
    return page.items;
  };
  const errorOf = async (query: string) => {
    const res = await stack.api(`/api/changes?${query}`);
    return { status: res.status, body: (await res.json()) as { error: { code: string; message: string } } };
  };

  before(async () => {
    stack = await startStack();
    [web, worker] = [uniqueName('web'), uniqueName('worker')];
    integration = await connectIntegration(stack, { apps: [web, worker] });
    serviceId = `${integration.orgId}-web`;
    await putService(stack, serviceId, { orgId: integration.orgId, name: 'Web', herokuAppName: web });
    const one = await deploy(web);
    const two = await deploy(web);
    firstRelease = { id: one.releaseId as string, version: one.releaseVersion as number };
    secondRelease = { id: two.releaseId as string, version: two.releaseVersion as number };
    await deploy(worker, { fail: true });
    // The kinds main does not make yet, stored as their deliveries would be (see support.ts).
    const now = Date.now();
    const made: [string, string, Record<string, unknown>][] = [
      ['config', `[Heroku][Config] ${web}: set FEATURE_FLAG`, { operation: 'set', variables: ['FEATURE_FLAG'], releaseId: 'rel-config', version: secondRelease.version + 1, status: 'succeeded', userEmail: 'config@example.com' }],
      ['scaling', `[Heroku][Scaling] ${web} web 1 → 3 (standard-1X)`, { processType: 'web', quantityBefore: 1, quantity: 3, userEmail: 'scale@example.com' }],
      ['addon', `[Heroku][Add-on] ${web} heroku-redis:mini created`, { service: 'heroku-redis', plan: 'heroku-redis:mini', change: 'created', userEmail: null }],
      ['maintenance', `[Heroku][Maintenance] ${web} on`, { maintenance: true, userEmail: 'ops@example.com' }],
      ['rename', `[Heroku][Rename] ${web}-old → ${web}`, { previousName: `${web}-old` }],
      ['rollback', `[Heroku][Rollback] ${web} v${secondRelease.version + 2} to v${firstRelease.version}`, { releaseId: 'rel-rollback', version: secondRelease.version + 2, status: 'succeeded', userEmail: 'ops@example.com' }],
    ];
    let minutesAgo = made.length;
    for (const [kind, summary, data] of made) {
      // The webhook payload carries a config var value; the change must never show it.
      const payloadData = kind === 'config' ? { description: 'Set FEATURE_FLAG config vars', config_vars: { FEATURE_FLAG: secretValue } } : {};
      handMade.set(kind, await recordHandMadeChange(stack, integration, web, { kind, summary, data, at: new Date(now - minutesAgo-- * 60_000), payloadData, resource: kind === 'config' ? 'release' : kind }));
    }
    oldConfigId = await recordHandMadeChange(stack, integration, web, { kind: 'config', summary: `[Heroku][Config] ${web}: remove OLD`, data: { operation: 'remove', variables: ['OLD'] }, at: new Date(now - 50 * HOUR), resource: 'release' });
  });
  after(async () => {
    await stack.close();
  });

  it('lists every change of an app in the last 24 hours, newest first, in the CONTRACT §6 shape, all eight kinds', async () => {
    const list = await changes({ app: web });
    for (const c of list) assert.deepEqual(Object.keys(c).sort(), ['actor', 'app', 'data', 'id', 'kind', 'occurredAt', 'rollbackTarget', 'serviceIds', 'summary']);
    for (let i = 1; i < list.length; i++) assert.ok((list[i - 1] as ChangeJson).occurredAt >= (list[i] as ChangeJson).occurredAt, 'newest first');
    assert.deepEqual([...new Set(list.map((c) => c.kind))].sort(), ['addon', 'build', 'config', 'maintenance', 'release', 'rename', 'rollback', 'scaling']);
    // Two deploys: build pending + succeeded and the release, each; plus the six hand-made ones.
    assert.equal(list.length, 2 * 3 + 6);
    assert.ok(!list.some((c) => c.id === oldConfigId), 'a change 50 hours ago is outside PT24H');
    assert.ok(list.every((c) => c.app === web && c.serviceIds.includes(serviceId)));
    const scaling = list.find((c) => c.kind === 'scaling');
    assert.deepEqual(scaling?.actor, { email: 'scale@example.com' });
    assert.equal(list.find((c) => c.kind === 'addon')?.actor, null);
    const release = list.find((c) => c.id !== undefined && c.kind === 'release' && c.data['releaseId'] === secondRelease.id);
    assert.match(release?.actor?.email ?? '', /@example\.com$/, 'the deployer');
    assert.match(release?.summary ?? '', /^\[Heroku\]\[Release\] /);
  });

  it('rollbackTarget: a release names the release before it when that one can be rolled back to; other kinds null', async () => {
    const list = await changes({ app: web });
    const byRelease = (id: string) => list.find((c) => c.data['releaseId'] === id);
    assert.equal(byRelease(secondRelease.id)?.rollbackTarget, firstRelease.id);
    // The first deploy's predecessor was never recorded (before the integration watched the app).
    assert.equal(byRelease(firstRelease.id)?.rollbackTarget, null);
    assert.equal(byRelease('rel-config')?.rollbackTarget, secondRelease.id, 'a config change is a release too');
    assert.equal(byRelease('rel-rollback')?.rollbackTarget, 'rel-config');
    for (const c of list.filter((x) => ['build', 'scaling', 'addon', 'maintenance', 'rename'].includes(x.kind))) assert.equal(c.rollbackTarget, null, c.kind);
  });

  it('a release Heroku marks eligible_for_rollback: false is no rollback target', async () => {
    const app = uniqueName('ineligible');
    const other = await connectIntegration(stack, { orgId: integration.orgId, apps: [app] });
    const t = Date.now() - 10 * 60_000;
    await recordHandMadeChange(stack, other, app, { kind: 'release', resource: 'release', summary: '[Heroku][Release] Deploy a', data: { releaseId: 'r-a', version: 7, status: 'succeeded' }, at: new Date(t), payloadData: { id: 'r-a', version: 7, eligible_for_rollback: false } });
    await recordHandMadeChange(stack, other, app, { kind: 'release', resource: 'release', summary: '[Heroku][Release] Deploy b', data: { releaseId: 'r-b', version: 8, status: 'succeeded' }, at: new Date(t + 60_000), payloadData: { id: 'r-b', version: 8, eligible_for_rollback: true } });
    const list = await changes({ app });
    assert.deepEqual(list.map((c) => [c.data['releaseId'], c.rollbackTarget]), [['r-b', null], ['r-a', null]]);
  });

  it('a failed build is listed as failed; scope by service; the window and the instant are honoured', async () => {
    const ofWorker = await changes({ app: worker });
    assert.deepEqual(ofWorker.map((c) => [c.kind, c.data['status']]), [['build', 'failed'], ['build', 'pending']]);
    const ofService = await changes({ serviceId });
    assert.deepEqual(ofService.map((c) => c.id), (await changes({ app: web })).map((c) => c.id));

    assert.ok((await changes({ app: web, window: 'P3D' })).some((c) => c.id === oldConfigId), 'P3D reaches back 50 hours');
    const atOld = await changes({ app: web, before: new Date(Date.now() - 49 * HOUR).toISOString(), window: 'PT2H' });
    assert.deepEqual(atOld.map((c) => c.id), [oldConfigId], 'only what happened in the two hours before that instant');
    const maintenance = (await changes({ app: web })).find((c) => c.kind === 'maintenance') as ChangeJson;
    const justBefore = await changes({ app: web, before: maintenance.occurredAt, window: 'PT10M' });
    assert.equal(justBefore[0]?.id, maintenance.id, 'a change at exactly `before` is included');
    assert.ok(!justBefore.some((c) => ['rename', 'rollback'].includes(c.kind)), 'nothing after `before`');
  });

  it('config var values never appear, though the delivery carried one', async () => {
    const res = await stack.api(`/api/changes?${new URLSearchParams({ orgId: integration.orgId, app: web }).toString()}`);
    const text = await res.text();
    assert.ok(text.includes('FEATURE_FLAG'), 'the name is shown');
    assert.ok(!text.includes(secretValue), 'the value is not');
  });

  it('pages with Link rel="next", keeping the instant of the first page', async () => {
    const all = await changes({ app: web });
    const first = await getPage<ChangeJson>(stack, `/api/changes?orgId=${integration.orgId}&app=${web}&limit=5`);
    assert.deepEqual(first.items, all.slice(0, 5));
    assert.ok(first.next?.includes('before='), 'the next page asks about the same instant');
    await deploy(web); // newer changes arrive between pages
    const seen = [...first.items];
    let next = first.next;
    while (next !== null) {
      const page = await getPage<ChangeJson>(stack, next.replace(stack.apiUrl, ''));
      assert.equal(page.status, 200);
      seen.push(...page.items);
      next = page.next;
    }
    assert.deepEqual(seen.map((c) => c.id), all.map((c) => c.id));
  });

  it('is scoped to one org: another org sees none of these changes, not even by service id', async () => {
    const otherOrg = uniqueName('org');
    assert.deepEqual(await getPage(stack, `/api/changes?orgId=${otherOrg}&app=${web}`).then((p) => p.items), []);
    assert.deepEqual(await getPage(stack, `/api/changes?orgId=${otherOrg}&serviceId=${serviceId}`).then((p) => p.items), []);
    const res = await fetch(`${stack.apiUrl}/api/changes?orgId=${integration.orgId}&app=${web}`);
    assert.equal(res.status, 401, 'the admin token is required');
  });

  it('answers 400 with a clear message for bad input', async () => {
    const org = integration.orgId;
    const cases: [string, RegExp][] = [
      [`app=${web}`, /orgId/],
      [`orgId=${org}`, /give app or serviceId/],
      [`orgId=${org}&app=${web}&serviceId=${serviceId}`, /not both/],
      [`orgId=${org}&app=${web}&before=yesterday`, /before must be an ISO 8601 date-time/],
      [`orgId=${org}&app=${web}&before=2026-12-07T12:00:00`, /before must be an ISO 8601 date-time with a time zone/],
      [`orgId=${org}&app=${web}&window=24h`, /window must be an ISO 8601 duration/],
      [`orgId=${org}&app=${web}&window=P1M`, /window must be an ISO 8601 duration in weeks, days/],
      [`orgId=${org}&app=${web}&window=P8D`, /at most P7D/],
      [`orgId=${org}&app=${web}&window=PT0S`, /longer than zero/],
      [`orgId=${org}&app=${web}&limit=501`, /limit/],
      [`orgId=${org}&app=${web}&cursor=bogus`, /cursor/],
    ];
    for (const [query, message] of cases) {
      const { status, body } = await errorOf(query);
      assert.equal(status, 400, query);
      assert.match(body.error.message, message, query);
    }
    assert.equal((await errorOf(`orgId=${org}&app=${web}&window=P7D&before=2026-12-07T14:00:00%2B02:00`)).status, 200, 'P7D and an offset are fine');
  });
});
