import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import Router from '@koa/router';
import Koa from 'koa';
import getRawBody from 'raw-body';
import { createDb, type Db } from '../src/db/knex';
import { signWebhookBody } from '../test/simulators/heroku';
import { serve } from '../test/support/api-client';
import { connectIntegration } from '../test/support/fixtures';
import { startStack } from '../test/support/stack';
import type { SendersInput, SendersResult } from './ingest-senders';
import type { BenchResult } from './run';

export const name = 'webhook ingest';

const SENDERS = 32;
const DEPLOYS_PER_ROUND = 750; // 4 events each: 3000 deliveries per round
const WARMUP_DEPLOYS = 50;
const ROUNDS = 2;

interface Delivery {
  body: string;
  signature: string;
}

interface Run {
  requests: number;
  seconds: number;
  latenciesMs: number[];
  failures: number;
}

/**
 * Signed deliveries per second and latency of `POST /webhooks/heroku/:id` with 32 concurrent
 * senders, against a baseline measured in the same run on the same machine: a bare Koa route that
 * does one INSERT per request (the body as jsonb). Rounds alternate baseline/receiver so drift
 * of the shared machine hits both alike.
 */
export async function run(): Promise<BenchResult> {
  const stack = await startStack({ inProcessWorker: false });
  const baselineDb = createDb(stack.h.databaseUrl, { logger: stack.h.logger });
  await baselineDb.raw('create table if not exists bench_baseline_inserts (id uuid primary key, payload jsonb not null)');
  const baseline = await serve(baselineApp(baselineDb));
  try {
    const app = `bench-${randomUUID().slice(0, 8)}`;
    const integration = await connectIntegration(stack, { apps: [app] });
    const secret = integration.webhooks.get(app)?.secret ?? '';
    // Real bytes from the simulator: one deploy's deliveries are the templates of every body sent.
    const deploy = await stack.heroku.deploy(app);
    await stack.heroku.waitForDeliveriesSettled();
    const templates = deploy.eventIds.map((id) => stack.heroku.deliveries.find((d) => d.eventId === id)?.attempts[0]?.rawBody.toString('utf8') ?? '');
    const deliveries = (deploys: number) => makeDeliveries(templates, deploys, secret);

    const receiverUrl = `${stack.apiUrl}/webhooks/heroku/${integration.integrationId}`;
    const baselineUrl = `${baseline.url}/baseline`;
    await load(baselineUrl, deliveries(WARMUP_DEPLOYS));
    await load(receiverUrl, deliveries(WARMUP_DEPLOYS));

    const results = { baseline: [] as Run[], receiver: [] as Run[] };
    for (let round = 0; round < ROUNDS; round++) {
      results.baseline.push(await load(baselineUrl, deliveries(DEPLOYS_PER_ROUND)));
      results.receiver.push(await load(receiverUrl, deliveries(DEPLOYS_PER_ROUND)));
    }
    const b = summarize(results.baseline);
    const r = summarize(results.receiver);
    const [stored] = (await stack.h.db('heroku_webhook_events').where({ integration_id: integration.integrationId }).count({ n: '*' })) as { n: string }[];
    const expectedEvents = templates.length * (1 + WARMUP_DEPLOYS + ROUNDS * DEPLOYS_PER_ROUND);
    const throughputRatio = r.perSecond / b.perSecond;
    const p99Ratio = r.p99 / b.p99;
    return {
      figures: {
        senders: SENDERS,
        requestsPerSide: r.requests,
        receiverPerSec: r.perSecond,
        receiverP50Ms: r.p50,
        receiverP99Ms: r.p99,
        baselinePerSec: b.perSecond,
        baselineP50Ms: b.p50,
        baselineP99Ms: b.p99,
        throughputRatio,
        p99Ratio,
        failures: r.failures + b.failures,
        eventsStored: Number(stored?.n),
        eventsExpected: expectedEvents,
      },
      goals: [
        { description: 'receiver throughput ≥ 0.5 × baseline', met: throughputRatio >= 0.5 },
        { description: 'receiver p99 < 4 × baseline p99', met: p99Ratio < 4 },
        { description: 'every delivery answered 200 and stored once', met: r.failures + b.failures === 0 && Number(stored?.n) === expectedEvents },
      ],
      notes: [
        `${SENDERS} concurrent senders, ${ROUNDS} alternating rounds of ${DEPLOYS_PER_ROUND * templates.length} signed deliveries per side (build pending, build succeeded, release create, release final)`,
        'receiver: full app (request log, JSON + zod, HMAC with the cached secret, one statement storing event, pulse, links); baseline: bare Koa route, one INSERT of the body as jsonb',
        'load generator in a worker thread; client, servers and PostgreSQL share the machine',
      ],
    };
  } finally {
    await baseline.close();
    await baselineDb.raw('drop table if exists bench_baseline_inserts');
    await baselineDb.destroy();
    await stack.close();
  }
}

/** The baseline: read the body, one INSERT, answer. No validation, no signature, no dedupe. */
function baselineApp(db: Db): Koa {
  const app = new Koa();
  const router = new Router();
  router.post('/baseline', async (ctx) => {
    const raw = await getRawBody(ctx.req, { limit: 1024 * 1024 });
    await db.raw('insert into bench_baseline_inserts (id, payload) values (?, cast(? as jsonb))', [randomUUID(), raw.toString('utf8')]);
    ctx.status = 200;
    ctx.body = { ok: true };
  });
  app.use(router.routes());
  return app;
}

/** `deploys` copies of the template events with fresh ids (events, builds, releases), signed over their exact bytes. */
function makeDeliveries(templates: string[], deploys: number, secret: string): Delivery[] {
  const out: Delivery[] = [];
  for (let i = 0; i < deploys; i++) {
    const ids = new Map<string, string>();
    const fresh = (id: string) => ids.get(id) ?? (ids.set(id, randomUUID()), ids.get(id) ?? '');
    for (const template of templates) {
      const body = JSON.parse(template) as { id: string; data: { id: string }; webhook_metadata: { event: { id: string }; delivery: { id: string } } };
      // New ids keep the build↔release relations of one deploy; the layout stays the simulator's.
      const eventId = randomUUID();
      let text = template.split(body.id).join(eventId).split(body.data.id).join(fresh(body.data.id));
      text = text.split(body.webhook_metadata.delivery.id).join(randomUUID());
      out.push({ body: text, signature: signWebhookBody(secret, text) });
    }
  }
  return out;
}

/** Runs the senders in a worker thread (see ingest-senders.ts) and waits for their figures. */
function load(url: string, deliveries: Delivery[]): Promise<Run> {
  const input: SendersInput = { url, senders: SENDERS, deliveries };
  return new Promise((resolve, reject) => {
    const worker = new Worker(path.join(__dirname, 'ingest-senders.js'), { workerData: input });
    worker.once('message', (result: SendersResult) => resolve({ requests: deliveries.length, ...result }));
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`sender thread exited with ${code}`));
    });
  });
}

function summarize(runs: Run[]): { requests: number; perSecond: number; p50: number; p99: number; failures: number } {
  const latencies = runs.flatMap((r) => r.latenciesMs).sort((a, b) => a - b);
  const requests = runs.reduce((n, r) => n + r.requests, 0);
  const seconds = runs.reduce((n, r) => n + r.seconds, 0);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  return { requests, perSecond: requests / seconds, p50: at(0.5), p99: at(0.99), failures: runs.reduce((n, r) => n + r.failures, 0) };
}
