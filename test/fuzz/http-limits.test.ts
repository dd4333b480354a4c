import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { after, before, describe, it } from 'mocha';
import { createApi } from '../../src/api/app';
import { createHttpServer, DEFAULT_HTTP_LIMITS, listen, type HttpLimits } from '../../src/api/http-server';
import { loadConfig } from '../../src/config';
import { harness, type Harness } from '../support/harness';
import { fuzzRuns } from './fuzz-runs';
import { connect, statusOf } from './raw-http';

/** Short limits so that the timeouts fire within a test; the checking interval follows them. */
const TEST_LIMITS: HttpLimits = {
  headersTimeoutMs: 1_000,
  requestTimeoutMs: 2_000,
  keepAliveTimeoutMs: 1_000,
  maxHeaderSize: 8 * 1024,
  maxRequestsPerSocket: 3,
  connectionsCheckingIntervalMs: 100,
};

describe('HTTP server limits (src/api/http-server.ts): oversized and slow requests', () => {
  let h: Harness;
  const servers: Server[] = [];

  async function serveApi(limits: HttpLimits): Promise<number> {
    const config = loadConfig({ ADMIN_API_TOKEN: 'http-limits-admin-token-0123456789', LOG_LEVEL: 'silent' });
    const server = createHttpServer(createApi({ config, db: h.db, temporal: h.temporal, box: h.box, logger: h.logger }).callback(), limits);
    servers.push(server);
    return listen(server, 0, '127.0.0.1');
  }

  let port: number;
  const healthy = async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).status;

  before(async () => {
    h = await harness();
    port = await serveApi(TEST_LIMITS);
  });
  after(async () => {
    for (const s of servers) {
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    }
  });

  it('answers 431 to headers over maxHeaderSize and closes the connection', async () => {
    const conn = await connect(port);
    await conn.write(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(10 * 1024)}\r\n\r\n`);
    await conn.closed;
    assert.equal(statusOf(conn.received()), 431);
    assert.equal(await healthy(), 200);
  });

  it('the production limits take 8 KB of headers and refuse 20 KB (431)', async () => {
    const defaultsPort = await serveApi(DEFAULT_HTTP_LIMITS);
    const get = (headerBytes: number) => fetch(`http://127.0.0.1:${defaultsPort}/healthz`, { headers: { 'X-Big': 'a'.repeat(headerBytes) } });
    assert.equal((await get(8 * 1024)).status, 200);
    const conn = await connect(defaultsPort);
    await conn.write(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20 * 1024)}\r\n\r\n`);
    await conn.closed;
    assert.equal(statusOf(conn.received()), 431);
  });

  it('answers 413 to a body over 1 MB: sent, announced by Content-Length, or streamed chunked', async () => {
    const url = `http://127.0.0.1:${port}/webhooks/heroku/${randomUUID()}`;
    const big = JSON.stringify({ padding: 'x'.repeat(1024 * 1024 + 1) });
    const sent = await fetch(url, { method: 'POST', body: big, headers: { 'content-type': 'application/json' } });
    assert.equal(sent.status, 413);
    assert.equal(((await sent.json()) as { error: { code: string } }).error.code, 'payload_too_large');

    // Announced: refused from the header alone, before any body byte is sent.
    const announced = await connect(port);
    await announced.write(`POST /webhooks/heroku/${randomUUID()} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${50 * 1024 * 1024}\r\n\r\n`);
    while (statusOf(announced.received()) === undefined && !announced.isClosed()) await new Promise((r) => setTimeout(r, 20));
    assert.equal(statusOf(announced.received()), 413);
    announced.destroy();

    // Chunked, without a length: refused once the limit is crossed; the rest is never buffered.
    let produced = 0;
    const endless = new Readable({
      read() {
        produced += 64 * 1024;
        this.push(produced > 64 * 1024 * 1024 ? null : Buffer.alloc(64 * 1024, 0x61));
      },
    });
    const chunked = await fetch(url, { method: 'POST', body: endless, duplex: 'half', headers: { 'content-type': 'application/json' } } as RequestInit);
    assert.equal(chunked.status, 413);
    endless.destroy();
    assert.equal(await healthy(), 200);
  });

  it('cuts off a slow-loris head (headers trickled byte by byte) with 408, while other clients are served', async () => {
    const head = `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ${'a'.repeat(400)}\r\n\r\n`;
    const slow = await Promise.all(Array.from({ length: 10 }, () => connect(port)));
    const trickles = slow.map((conn) => conn.trickle(head, 50)); // would take 20 s to complete
    for (let i = 0; i < 5; i++) assert.equal(await healthy(), 200);
    const written = await Promise.all(trickles);
    for (const [i, conn] of slow.entries()) {
      await conn.closed;
      assert.equal(statusOf(conn.received()), 408, conn.received());
      assert.ok((written[i] as number) < head.length, 'the server closed the connection before the head was complete');
    }
  });

  it('cuts off a slow body (trickled byte by byte) with 408 and stores nothing', async () => {
    const integrationId = randomUUID();
    const body = JSON.stringify({ id: randomUUID(), padding: 'x'.repeat(400) });
    const conn = await connect(port);
    await conn.write(`POST /webhooks/heroku/${integrationId} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`);
    const trickle = conn.trickle(body, 50); // would take over 20 s
    assert.equal(await healthy(), 200);
    const written = await trickle;
    await conn.closed;
    assert.equal(statusOf(conn.received()), 408, conn.received());
    assert.ok(written < body.length, 'the server closed the connection before the body was complete');
    const [row] = (await h.db('heroku_webhook_events').where({ integration_id: integrationId }).count({ n: '*' })) as { n: string }[];
    assert.equal(Number(row?.n), 0);
  });

  it('does not cut a response that streams longer than requestTimeout (the followed output of a run)', async () => {
    // The limits bound receiving the request, not sending the answer.
    const server = createHttpServer((_req, res) => {
      let ticks = 0;
      const timer = setInterval(() => {
        res.write(`tick ${ticks}\n`);
        if (++ticks === 6) {
          clearInterval(timer);
          res.end();
        }
      }, TEST_LIMITS.requestTimeoutMs / 4);
    }, TEST_LIMITS);
    servers.push(server);
    const res = await fetch(`http://127.0.0.1:${await listen(server, 0, '127.0.0.1')}/`);
    assert.equal(await res.text(), 'tick 0\ntick 1\ntick 2\ntick 3\ntick 4\ntick 5\n');
  });

  it('closes idle keep-alive connections, and a connection after maxRequestsPerSocket requests', async () => {
    const idle = await connect(port);
    await idle.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    await idle.closed; // keepAliveTimeout: nobody else closes it
    assert.equal(statusOf(idle.received()), 200);

    const busy = await connect(port);
    for (let i = 0; i < TEST_LIMITS.maxRequestsPerSocket; i++) {
      await busy.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
      while ((busy.received().match(/HTTP\/1\.1 200/g) ?? []).length <= i && !busy.isClosed()) await new Promise((r) => setTimeout(r, 10));
    }
    await busy.closed;
    const responses = busy.received().split(/(?=HTTP\/1\.1 )/);
    assert.equal(responses.length, TEST_LIMITS.maxRequestsPerSocket);
    assert.match(responses.at(-1) ?? '', /^Connection: close\r$/im);
  });

  it(`never answers 5xx to arbitrary bytes on the wire, and keeps serving (${fuzzRuns(60)} runs)`, async () => {
    const line = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.constantFrom('GET / HTTP/1.1', 'POST /webhooks/heroku/x HTTP/1.1', 'Content-Length: -1', 'Content-Length: 5', 'Transfer-Encoding: chunked', 'Transfer-Encoding: gzip, chunked', 'Host: x', 'Expect: 100-continue', 'Content-Type: application/json', ''),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(line, { maxLength: 12 }), fc.string({ maxLength: 300 }), async (lines, tail) => {
        const conn = await connect(port);
        await conn.write(Buffer.from(`${lines.join('\r\n')}\r\n\r\n${tail}`, 'utf8'));
        // Whatever it was, the server answers (or times it out) and closes or waits: never a 5xx.
        const deadline = Date.now() + 250;
        while (statusOf(conn.received()) === undefined && !conn.isClosed() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
        conn.destroy();
        const status = statusOf(conn.received());
        assert.ok(status === undefined || status < 500, conn.received().slice(0, 200));
      }),
      { numRuns: fuzzRuns(60) },
    );
    assert.equal(await healthy(), 200);
  });
});
