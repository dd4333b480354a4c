import { randomUUID } from 'node:crypto';
import Router from '@koa/router';
import Koa from 'koa';
import pg from 'pg';
import getRawBody from 'raw-body';
import { createHttpServer, listen } from '../src/api/http-server';
import { verifyHerokuSignature } from '../src/pulses/webhook-signature';
import { BASELINE_INSERT } from './support/baseline-statement';

/**
 * The ingest benchmark's baseline, in a Node process of its own (forked by ingest.bench.ts): a
 * bare Koa route that checks the same HMAC (`verifyHerokuSignature`, the receiver's function)
 * with a secret it already knows and does one INSERT of the body as jsonb per delivery, on a
 * pg pool as large as the receiver's (10). No validation, no dedupe, no pulse, no logging.
 * Tells its parent the port it listens on.
 */
async function main(): Promise<void> {
  const databaseUrl = process.env.BASELINE_DATABASE_URL ?? '';
  const secret = process.env.BASELINE_SECRET ?? '';
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
  await pool.query('create table if not exists bench_baseline_inserts (id uuid primary key, payload jsonb not null)');
  const app = new Koa();
  const router = new Router();
  router.post('/baseline', async (ctx) => {
    const raw = await getRawBody(ctx.req, { limit: 1024 * 1024 });
    if (!verifyHerokuSignature(secret, raw, ctx.get('heroku-webhook-hmac-sha256') || undefined)) {
      ctx.status = 401;
      ctx.body = { error: 'invalid_signature' };
      return;
    }
    await pool.query(BASELINE_INSERT, [randomUUID(), raw.toString('utf8')]);
    ctx.status = 200;
    ctx.body = { ok: true };
  });
  app.use(router.routes());
  // The same HTTP server limits as the receiver's (keep-alive, requests per socket).
  const server = createHttpServer(app.callback());
  const port = await listen(server, 0, '127.0.0.1');
  process.send?.({ port });
  process.on('disconnect', () => {
    server.close();
    void pool.end().then(() => process.exit(0));
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
