import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import fc from 'fast-check';
import { after, before, describe, it } from 'mocha';
import { createApi } from '../../src/api/app';
import { createHttpServer, listen } from '../../src/api/http-server';
import { ADMIN_TOKEN_FAILURE_LIMITS } from '../../src/api/middleware/admin-auth';
import { AuthFailureLimiter } from '../../src/api/middleware/auth-failure-limiter';
import { ConfigError, loadConfig } from '../../src/config';
import { harness, type Harness } from '../support/harness';
import { fuzzRuns } from './fuzz-runs';

const TOKEN = 'brute-force-admin-token-0123456789';
const BUDGET = ADMIN_TOKEN_FAILURE_LIMITS.perClient;

describe('admin token brute force: failed authentications are rate limited per client address', () => {
  let h: Harness;
  const servers: Server[] = [];
  let behindProxy: string;
  let direct: string;

  async function serveApi(env: NodeJS.ProcessEnv): Promise<string> {
    const config = loadConfig({ ADMIN_API_TOKEN: TOKEN, ENCRYPTION_KEY: randomBytes(32).toString('base64'), LOG_LEVEL: 'silent', ...env });
    const server = createHttpServer(createApi({ config, db: h.db, temporal: h.temporal, box: h.box, logger: h.logger }).callback());
    servers.push(server);
    return `http://127.0.0.1:${await listen(server, 0, '127.0.0.1')}`;
  }

  before(async () => {
    h = await harness();
    behindProxy = await serveApi({ TRUSTED_PROXY_HOPS: '1' });
    direct = await serveApi({});
  });
  after(async () => {
    for (const s of servers) {
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    }
  });

  /** An /api request past the token check is a 404 (no such route); refused ones are 401/429. */
  const call = async (base: string, { token, from, path = '/api/no-such-route' }: { token?: string; from?: string; path?: string }) => {
    const headers: Record<string, string> = {};
    if (token !== undefined) headers['authorization'] = `Bearer ${token}`;
    if (from !== undefined) headers['x-forwarded-for'] = from;
    const res = await fetch(`${base}${path}`, { method: path.startsWith('/codec') ? 'POST' : 'GET', headers: { ...headers, 'content-type': 'application/json' }, body: path.startsWith('/codec') ? '{"payloads":[]}' : undefined });
    const body = (await res.json()) as { error?: { code: string; message: string } };
    return { status: res.status, code: body.error?.code, retryAfter: res.headers.get('retry-after') };
  };
  const PASSED = 404;

  it(`after ${BUDGET} wrong tokens an address gets 429 with Retry-After, even with the right token; other addresses are unaffected`, async () => {
    const attacker = '198.51.100.1';
    for (let i = 0; i < BUDGET; i++) assert.equal((await call(behindProxy, { token: `guess-${i}-0123456789abcdef`, from: attacker })).status, 401);
    const blocked = await call(behindProxy, { token: TOKEN, from: attacker });
    assert.equal(blocked.status, 429);
    assert.equal(blocked.code, 'too_many_failed_attempts');
    assert.ok(Number(blocked.retryAfter) > 0 && Number(blocked.retryAfter) <= 15 * 60, `Retry-After ${blocked.retryAfter}`);
    assert.equal((await call(behindProxy, { token: 'another-guess-0123456789', from: attacker })).status, 429, 'guesses are not even checked');
    assert.equal((await call(behindProxy, { token: TOKEN, from: '198.51.100.2' })).status, PASSED);
    assert.equal((await call(behindProxy, { token: 'one-wrong-guess-0123456789', from: '198.51.100.3' })).status, 401);
  });

  it('does not count successes nor requests without credentials; a success clears the address’s failures', async () => {
    const client = '198.51.100.20';
    for (let i = 0; i < 3 * BUDGET; i++) assert.equal((await call(behindProxy, { token: TOKEN, from: client })).status, PASSED);
    for (let i = 0; i < 3 * BUDGET; i++) assert.equal((await call(behindProxy, { from: client })).status, 401);
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < BUDGET - 1; i++) assert.equal((await call(behindProxy, { token: `wrong-${i}-0123456789abcdef`, from: client })).status, 401);
      assert.equal((await call(behindProxy, { token: TOKEN, from: client })).status, PASSED);
    }
  });

  it('behind one trusted proxy, the address is the one the proxy appended: forging X-Forwarded-For does not escape the limit', async () => {
    const real = '198.51.100.30';
    for (let i = 0; i < BUDGET; i++) {
      assert.equal((await call(behindProxy, { token: `guess-${i}-0123456789abcdef`, from: `10.0.${i}.1, ${real}` })).status, 401);
    }
    assert.equal((await call(behindProxy, { token: TOKEN, from: `203.0.113.99, ${real}` })).status, 429);
  });

  it('with no trusted proxy (the default), X-Forwarded-For is ignored: the socket address is the client', async () => {
    for (let i = 0; i < BUDGET; i++) {
      assert.equal((await call(direct, { token: `guess-${i}-0123456789abcdef`, from: `203.0.113.${i}` })).status, 401);
    }
    assert.equal((await call(direct, { token: TOKEN, from: '203.0.113.200' })).status, 429);
  });

  it('limits the codec endpoint’s token check too', async () => {
    const client = '198.51.100.40';
    for (let i = 0; i < BUDGET; i++) assert.equal((await call(behindProxy, { token: `guess-${i}-0123456789abcdef`, from: client, path: '/codec/decode' })).status, 401);
    assert.equal((await call(behindProxy, { token: TOKEN, from: client, path: '/codec/decode' })).status, 429);
    assert.equal((await call(behindProxy, { token: TOKEN, from: '198.51.100.41', path: '/codec/decode' })).status, 200);
  });

  it(`arbitrary Authorization headers never pass, never 5xx (${fuzzRuns(100)} runs)`, async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.string({ maxLength: 300 }), fc.string({ maxLength: 100 }).map((s) => `Bearer ${s}`), fc.constantFrom(`Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(0, -1)}`, `Basic ${Buffer.from(`admin:${TOKEN}`).toString('base64')}`, `Bearer  ${TOKEN.toUpperCase()}`, `Bearer ${TOKEN} ${TOKEN}`)),
        async (authorization) => {
          // A fresh address per guess: this property is about the check, not the limiter.
          const res = await fetch(`${behindProxy}/api/no-such-route`, { headers: { authorization: authorization.replace(/[\r\n\0]/g, ' '), 'x-forwarded-for': `192.0.2.${n++ % 250}, 10.1.${Math.floor(n / 250)}.${n % 250}` } }).catch((err: unknown) => err as Error);
          if (res instanceof Error) return; // fetch refuses some header values itself: nothing reached the server
          assert.ok(res.status === 401 || res.status === 429, `status ${res.status} for ${JSON.stringify(authorization)}`);
        },
      ),
      { numRuns: fuzzRuns(100) },
    );
  });

  it('TRUSTED_PROXY_HOPS is a small whole number, 0 by default', () => {
    assert.equal(loadConfig({}).trustedProxyHops, 0);
    assert.equal(loadConfig({ TRUSTED_PROXY_HOPS: ' 2 ' }).trustedProxyHops, 2);
    for (const bad of ['-1', 'one', '1.5', '100']) {
      assert.throws(() => loadConfig({ TRUSTED_PROXY_HOPS: bad }), (err: Error) => err instanceof ConfigError && err.problems.some((p) => p.startsWith('TRUSTED_PROXY_HOPS:')), bad);
    }
  });

  describe('the limiter (src/api/middleware/auth-failure-limiter.ts)', () => {
    it('keeps its memory bounded however many addresses fail', () => {
      const limiter = new AuthFailureLimiter({ perClient: 5, windowMs: 60_000, maxClients: 1_000 }, () => 0);
      for (let i = 0; i < 100_000; i++) limiter.recordFailure(`10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`);
      assert.equal(limiter.trackedClients, 1_000);
      const heavy = 'one-address';
      for (let i = 0; i < 100_000; i++) limiter.recordFailure(heavy);
      assert.ok(limiter.retryAfterSeconds(heavy) > 0);
    });

    it('forgets addresses whose failures left the window', () => {
      let now = 0;
      const limiter = new AuthFailureLimiter({ perClient: 3, windowMs: 60_000 }, () => now);
      for (let i = 0; i < 500; i++) limiter.recordFailure(`client-${i}`);
      assert.equal(limiter.trackedClients, 500);
      now = 60_001;
      assert.equal(limiter.retryAfterSeconds('anyone'), 0);
      assert.equal(limiter.trackedClients, 0);
    });

    it('without a total, failures spread over many addresses block none of the others', () => {
      const limiter = new AuthFailureLimiter({ perClient: 2, windowMs: 60_000 }, () => 0);
      for (let i = 0; i < 10_000; i++) limiter.recordFailure(`client-${i}`);
      assert.equal(limiter.retryAfterSeconds('client-new'), 0);
      assert.equal(limiter.retryAfterSeconds('client-1'), 0, 'one failure of a budget of two');
    });
  });
});
