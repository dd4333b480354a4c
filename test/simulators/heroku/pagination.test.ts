import { describe, it, before, after } from 'mocha';
import assert from 'node:assert/strict';
import type { HerokuSimulator } from './index';
import { arr, callApi, obj, startSimulator } from './test-support';

describe('Heroku simulator: Range pagination', () => {
  let sim: HerokuSimulator;
  let token: string;
  const names = Array.from({ length: 25 }, (_, i) => `app-${String(i).padStart(2, '0')}`);

  before(async () => {
    sim = await startSimulator({ pageSize: 10 });
    const account = sim.createAccount({ email: 'many@example.com' });
    for (const name of names) sim.createApp({ name, owner: account.id });
    token = sim.authorize(account.id).accessToken;
  });
  after(() => sim.close());

  it('answers only the first page (206 + Next-Range) to a client that ignores Next-Range', async () => {
    const res = await callApi(sim, 'GET', '/apps', { token });
    assert.equal(res.status, 206);
    assert.equal(arr(res.json).length, 10);
    assert.ok(res.headers.get('next-range'));
    assert.match(res.headers.get('content-range') ?? '', /^id \S+\.\.\S+; max=10$/);
    assert.equal(res.headers.get('accept-ranges'), 'id, name, updated_at');
  });

  it('returns every item to a client that follows Next-Range until it disappears', async () => {
    const seen: string[] = [];
    let range: string | null = 'name ..; max=1000'; // heroku-client style; the page cap still applies
    let pages = 0;
    while (range !== null) {
      const res = await callApi(sim, 'GET', '/apps', { token, headers: { Range: range } });
      assert.equal(res.status, res.headers.get('next-range') ? 206 : 200);
      seen.push(...arr(res.json).map((a) => String(a['name'])));
      range = res.headers.get('next-range');
      pages += 1;
    }
    assert.equal(pages, 3);
    assert.deepEqual(seen, names);
  });

  it('honours order=desc and a smaller max', async () => {
    const res = await callApi(sim, 'GET', '/apps', { token, headers: { Range: 'name ..; max=2, order=desc' } });
    assert.deepEqual(arr(res.json).map((a) => a['name']), ['app-24', 'app-23']);
    assert.equal(res.headers.get('next-range'), 'name ]app-23..; max=2, order=desc');
  });

  it('rejects an unknown Range field with 400 bad_request', async () => {
    const res = await callApi(sim, 'GET', '/apps', { token, headers: { Range: 'colour ..; max=10' } });
    assert.equal(res.status, 400);
    assert.equal(obj(res.json)['id'], 'bad_request');
  });

  it('gives the latest release for Range: version ..; max=1, order=desc', async () => {
    await sim.deploy('app-00');
    await sim.deploy('app-00');
    const res = await callApi(sim, 'GET', '/apps/app-00/releases', { token, headers: { Range: 'version ..; max=1, order=desc' } });
    assert.equal(res.status, 206);
    const [latest] = arr(res.json);
    assert.equal(latest?.['version'], 4);
    assert.equal(latest?.['current'], true);
  });
});
