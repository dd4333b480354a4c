import assert from 'node:assert/strict';
import { after, before, describe, it } from 'mocha';
import { createApi } from '../../src/api/app';
import { loadConfig } from '../../src/config';
import { createDb } from '../../src/db/knex';
import { harness, type Harness } from '../support/harness';
import { serve } from '../support/api-client';

const TOKEN = 'a-long-enough-admin-token-123456';

describe('API basics: health, admin token, error shape, request ids', () => {
  let h: Harness;
  let api: { url: string; close(): Promise<void> };
  let closedApi: { url: string; close(): Promise<void> };

  before(async () => {
    h = await harness();
    const deps = { db: h.db, temporal: h.temporal, box: h.box, logger: h.logger };
    api = await serve(createApi({ ...deps, config: loadConfig({ ADMIN_API_TOKEN: TOKEN }) }));
    closedApi = await serve(createApi({ ...deps, config: loadConfig({}) }));
  });
  after(async () => {
    await api.close();
    await closedApi.close();
  });

  it('GET /healthz answers 200 while the process is up', async () => {
    const res = await fetch(`${api.url}/healthz`);
    assert.equal(res.status, 200);
  });

  it('GET /readyz answers 200 when PostgreSQL and Temporal answer', async () => {
    const res = await fetch(`${api.url}/readyz`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: 'ready', checks: { postgres: true, temporal: true } });
  });

  it('GET /readyz answers 503 and names the failing dependency when PostgreSQL is down', async () => {
    const deadDb = createDb('postgres://postgres@127.0.0.1:1/none', { logger: h.logger });
    const down = await serve(createApi({ db: deadDb, temporal: h.temporal, box: h.box, logger: h.logger, config: loadConfig({}) }));
    try {
      const res = await fetch(`${down.url}/readyz`);
      assert.equal(res.status, 503);
      assert.deepEqual(await res.json(), { status: 'not_ready', checks: { postgres: false, temporal: true } });
    } finally {
      await down.close();
      await deadDb.destroy();
    }
  });

  it('answers 503 with a clear message on /api/* when ADMIN_API_TOKEN is unset (never open)', async () => {
    const res = await fetch(`${closedApi.url}/api/pulses`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    assert.equal(res.status, 503);
    const body = (await res.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'admin_api_disabled');
    assert.match(body.error.message, /ADMIN_API_TOKEN/);
  });

  for (const [what, header] of [
    ['no Authorization header', undefined],
    ['a forged token', `Bearer ${TOKEN.slice(0, -1)}x`],
    ['a token prefix', `Bearer ${TOKEN.slice(0, 10)}`],
    ['a longer token', `Bearer ${TOKEN}x`],
    ['Basic auth with the token', `Basic ${Buffer.from(`:${TOKEN}`).toString('base64')}`],
  ] as const) {
    it(`answers 401 on /api/* with ${what}`, async () => {
      const res = await fetch(`${api.url}/api/anything`, { headers: header ? { Authorization: header } : {} });
      assert.equal(res.status, 401);
      assert.equal(res.headers.get('www-authenticate'), 'Bearer realm="dynopulse"');
      assert.deepEqual(await res.json(), { error: { code: 'unauthorized', message: 'Missing or invalid admin bearer token' } });
    });
  }

  it('lets the right token through (an unknown route is then a 404 in the error shape)', async () => {
    const res = await fetch(`${api.url}/api/no-such-route`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    assert.equal(res.status, 404);
    assert.deepEqual(await res.json(), { error: { code: 'not_found', message: 'No route for GET /api/no-such-route' } });
  });

  it('echoes a sane X-Request-Id and invents one otherwise', async () => {
    const mine = await fetch(`${api.url}/healthz`, { headers: { 'X-Request-Id': 'req-123' } });
    assert.equal(mine.headers.get('x-request-id'), 'req-123');
    const hostile = await fetch(`${api.url}/healthz`, { headers: { 'X-Request-Id': 'a b\tc'.repeat(100) } });
    assert.match(hostile.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
  });
});
