import { fork, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { projectRoot } from '../src/paths';
import { freePort } from '../src/runtime/free-port';
import { parseHerokuEvent } from '../src/pulses/heroku-event';
import { interpretEvent } from '../src/pulses/pulse-from-event';
import { recordEventInput, recordEventsQuery, type RecordEventInput } from '../src/pulses/record-event';
import { signWebhookBody } from '../test/simulators/heroku';
import { metricValue, scrape } from '../test/operations/dynopulse-process';
import { BASELINE_INSERT } from './support/baseline-statement';
import { explainStatement, type StatementCost } from './support/postgres-view';
import { cpuMeter, machineBusySeconds, pidsNamed } from './support/process-cpu';
import { connectIntegration } from '../test/support/fixtures';
import { startStack } from '../test/support/stack';
import type { SendersInput, SendersResult } from './ingest-senders';
import type { BenchResult } from './run';

export const name = 'webhook ingest';

const SENDERS = 32;
// 4 events each: 6000 deliveries per round, about 3 s a side: long enough that one GC pause or
// scheduling hiccup of the shared machine does not decide a round.
const DEPLOYS_PER_ROUND = Number(process.env.INGEST_DEPLOYS_PER_ROUND ?? 1500);
// Long enough for both servers' JIT and PostgreSQL's caches to settle: a first round right after
// start measured the receiver's compilation more than its steady cost.
const WARMUP_DEPLOYS = Number(process.env.INGEST_WARMUP_DEPLOYS ?? 500);
const ROUNDS = Number(process.env.INGEST_ROUNDS ?? 5);

interface Delivery {
  body: string;
  signature: string;
}

interface Round {
  requests: number;
  /** CPU milliseconds per delivery: the server under test, PostgreSQL, the load generator, and the whole machine. */
  cpuMsPerDelivery: { server: number; postgres: number; senders: number; machine: number };
  /** Busy share of the machine's cores during the round (1 = every core busy all the time). */
  machineBusy: number;
  perSecond: number;
  p50: number;
  p99: number;
  failures: number;
}

/**
 * Signed deliveries per second and latency of `POST /webhooks/heroku/:id` with 32 concurrent
 * senders, against a baseline measured in the same run. Three processes, each its own Node:
 * the receiver is dynopulse as users start it (`node dist/src/main.js`: API and worker, an
 * external PostgreSQL via DATABASE_URL, TEMPORAL_ADDRESS of the dev server the harness started);
 * the baseline is a bare Koa route with the same HMAC check and one INSERT (ingest-baseline.ts);
 * the load generator sends to one of them at a time (ingest-senders.ts). Rounds alternate
 * baseline/receiver so drift of the shared machine hits both alike; figures are the medians of
 * the rounds. The receiver's RSS is sampled from /proc during each round.
 */
export async function run(): Promise<BenchResult> {
  const stack = await startStack({ inProcessWorker: false });
  const children: ChildProcess[] = [];
  try {
    const app = `bench-${randomUUID().slice(0, 8)}`;
    const integration = await connectIntegration(stack, { apps: [app] });
    const secret = integration.webhooks.get(app)?.secret ?? '';
    const serviceId = `svc-${randomUUID().slice(0, 8)}`;
    await stack.h.db('services').insert({ id: serviceId, org_id: integration.orgId, name: 'bench service', heroku_app_name: app });
    // Real bytes from the simulator: one deploy's deliveries are the templates of every body sent.
    const deploy = await stack.heroku.deploy(app);
    await stack.heroku.waitForDeliveriesSettled();
    const templates = deploy.eventIds.map((id) => stack.heroku.deliveries.find((d) => d.eventId === id)?.attempts[0]?.rawBody.toString('utf8') ?? '');
    const deliveries = (deploys: number) => makeDeliveries(templates, deploys, secret);

    const receiver = await startReceiver(stack.env);
    children.push(receiver.child);
    const baseline = await forkReady(path.join(__dirname, 'ingest-baseline.js'), { BASELINE_DATABASE_URL: stack.h.databaseUrl, BASELINE_SECRET: secret });
    children.push(baseline.child);
    const senders = fork(path.join(__dirname, 'ingest-senders.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    children.push(senders);

    const receiverUrl = `${receiver.url}/webhooks/heroku/${integration.integrationId}`;
    const baselineUrl = `http://127.0.0.1:${baseline.port}/baseline`;
    const load = (url: string, batch: Delivery[]) => sendRound(senders, { url, senders: SENDERS, deliveries: batch });
    // Each round's CPU by process: what bounds throughput on a machine whose cores all four share.
    const measured = async (url: string, server: ChildProcess, batch: Delivery[]): Promise<Round> => {
      const meter = cpuMeter({ server: () => [server.pid ?? 0], senders: () => [senders.pid ?? 0], postgres: () => pidsNamed('postgres') });
      const busyBefore = machineBusySeconds();
      const result = await load(url, batch);
      const used = meter.stop();
      const busy = machineBusySeconds() - busyBefore;
      const perDelivery = (seconds: number | undefined) => ((seconds ?? NaN) * 1000) / batch.length;
      return {
        ...summarize(result),
        cpuMsPerDelivery: { server: perDelivery(used['server']), postgres: perDelivery(used['postgres']), senders: perDelivery(used['senders']), machine: perDelivery(busy) },
        machineBusy: busy / result.seconds / cpus().length,
      };
    };
    await load(baselineUrl, deliveries(WARMUP_DEPLOYS));
    await load(receiverUrl, deliveries(WARMUP_DEPLOYS));

    const heapBefore = await liveHeap(receiver.child);
    const metricsBefore = await scrape(`${receiver.url}/metrics`);
    const loadAtStart = loadavg()[0] ?? NaN;
    const rounds = { baseline: [] as Round[], receiver: [] as Round[] };
    const memory: RssSample[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      rounds.baseline.push(await measured(baselineUrl, baseline.child, deliveries(DEPLOYS_PER_ROUND)));
      const batch = deliveries(DEPLOYS_PER_ROUND);
      const rss = sampleRss(receiver.child.pid ?? 0);
      rounds.receiver.push(await measured(receiverUrl, receiver.child, batch));
      memory.push(await rss.stop());
    }
    const metricsAfter = await scrape(`${receiver.url}/metrics`);
    const heapAfter = await liveHeap(receiver.child);
    const metricDelta = (name: string, labels: Record<string, string> = {}) => metricValue(metricsAfter, name, labels) - metricValue(metricsBefore, name, labels);
    // Group commit as the receiver counted it: deliveries per statement (and per commit).
    const meanGroupSize = metricDelta('dynopulse_webhook_store_group_size_sum') / metricDelta('dynopulse_webhook_store_group_size_count');
    // The receiver's garbage collection (prom-client's GC metrics), in the same window.
    const receiverDeliveries = rounds.receiver.reduce((n, x) => n + x.requests, 0);
    const gcMsPerDelivery = (kind: string) => (metricDelta('nodejs_gc_duration_seconds_sum', { kind }) * 1000) / receiverDeliveries;
    const b = medians(rounds.baseline);
    const r = medians(rounds.receiver);

    const deploysSent = WARMUP_DEPLOYS + ROUNDS * DEPLOYS_PER_ROUND;
    const db = stack.h.db;
    const count = async (q: PromiseLike<unknown>) => Number(((await q) as { n: string }[])[0]?.n);
    const eventsStored = await count(db('heroku_webhook_events').where({ integration_id: integration.integrationId }).count({ n: '*' }));
    const eventsDistinct = await count(db('heroku_webhook_events').where({ integration_id: integration.integrationId }).countDistinct({ n: 'event_id' }));
    const buildPulses = await count(db('pulses').where({ integration_id: integration.integrationId, kind: 'build' }).count({ n: '*' }));
    const releasePulses = await count(db('pulses').where({ integration_id: integration.integrationId, kind: 'release' }).count({ n: '*' }));
    const unlinkedPulses = await count(
      db('pulses as p')
        .where({ 'p.integration_id': integration.integrationId })
        .whereNotExists(db('pulse_services as ps').whereRaw('ps.pulse_id = p.id').where('ps.service_id', serviceId))
        .count({ n: '*' }),
    );
    const expectedEvents = templates.length * (1 + deploysSent);
    // PostgreSQL's view, once the counts above are taken (it stores events of its own).
    const sealed = String((await db('integration_apps').where({ integration_id: integration.integrationId, app_name: app }).first('webhook_secret_sealed'))?.webhook_secret_sealed);
    const receiverStatement = (groupSize: number) => () => {
      const inputs = deliveries(Math.ceil(groupSize / templates.length)).slice(0, groupSize).map((d) => recordInput(integration.integrationId, app, sealed, d.body));
      const { statement, values } = recordEventsQuery(inputs);
      return { text: statement.text, values };
    };
    const payload = templates[0] ?? '{}';
    const pgView: Record<string, StatementCost> = {
      baselineInsert: await explainStatement(stack.h.databaseUrl, 30, () => ({ text: BASELINE_INSERT, values: [randomUUID(), payload] })),
      receiverGroupOf1: await explainStatement(stack.h.databaseUrl, 30, receiverStatement(1)),
      receiverGroupOf8: await explainStatement(stack.h.databaseUrl, 30, receiverStatement(8)),
      receiverGroupOf32: await explainStatement(stack.h.databaseUrl, 30, receiverStatement(32)),
    };
    const failures = [...rounds.baseline, ...rounds.receiver].reduce((n, x) => n + x.failures, 0);
    const throughputRatio = r.perSecond / b.perSecond;
    // Each receiver round against the baseline round just before it: less sensitive to a load swing of the shared machine between rounds.
    const pairedRatios = rounds.receiver.map((x, i) => x.perSecond / (rounds.baseline[i]?.perSecond ?? NaN));
    const p99Ratio = r.p99 / b.p99;
    const peakMb = Math.max(...memory.map((m) => m.peakMb));
    const afterGrowthMb = (memory.at(-1)?.afterMb ?? 0) - (memory[0]?.afterMb ?? 0);
    // RSS at a round's end mostly says how far V8 let garbage pile up before its next full
    // collection (a sawtooth). What is retained shows in the troughs, the lowest RSS sampled in a
    // round: compare the lowest of the later half of the rounds with the lowest of the earlier half.
    const half = Math.floor(memory.length / 2);
    const troughEarlyMb = Math.min(...memory.slice(0, half).map((m) => m.lowMb));
    const troughLateMb = Math.min(...memory.slice(half).map((m) => m.lowMb));
    const troughGrowthMb = troughLateMb - troughEarlyMb;
    const figures: BenchResult['figures'] = {
      senders: SENDERS,
      rounds: ROUNDS,
      requestsPerRoundPerSide: DEPLOYS_PER_ROUND * templates.length,
      receiverPerSec: r.perSecond,
      receiverP50Ms: r.p50,
      receiverP99Ms: r.p99,
      baselinePerSec: b.perSecond,
      baselineP50Ms: b.p50,
      baselineP99Ms: b.p99,
      throughputRatio,
      p99Ratio,
      pairedThroughputRatioMedian: median(pairedRatios),
      loadAverage1mAtStart: loadAtStart,
      loadAverage1mAtEnd: loadavg()[0] ?? NaN,
      failures,
      eventsStored,
      eventsExpected: expectedEvents,
      buildPulses,
      releasePulses,
      unlinkedPulses,
      // CPU per delivery (medians of the rounds): who spends the two cores.
      receiverCpuMsPerDelivery: median(rounds.receiver.map((x) => x.cpuMsPerDelivery.server)),
      baselineCpuMsPerDelivery: median(rounds.baseline.map((x) => x.cpuMsPerDelivery.server)),
      postgresCpuMsPerDeliveryReceiverRounds: median(rounds.receiver.map((x) => x.cpuMsPerDelivery.postgres)),
      postgresCpuMsPerDeliveryBaselineRounds: median(rounds.baseline.map((x) => x.cpuMsPerDelivery.postgres)),
      sendersCpuMsPerDeliveryReceiverRounds: median(rounds.receiver.map((x) => x.cpuMsPerDelivery.senders)),
      sendersCpuMsPerDeliveryBaselineRounds: median(rounds.baseline.map((x) => x.cpuMsPerDelivery.senders)),
      machineCpuMsPerDeliveryReceiverRounds: median(rounds.receiver.map((x) => x.cpuMsPerDelivery.machine)),
      machineCpuMsPerDeliveryBaselineRounds: median(rounds.baseline.map((x) => x.cpuMsPerDelivery.machine)),
      machineBusyReceiverRounds: median(rounds.receiver.map((x) => x.machineBusy)),
      machineBusyBaselineRounds: median(rounds.baseline.map((x) => x.machineBusy)),
      receiverMeanGroupSize: meanGroupSize,
      receiverGcMinorMsPerDelivery: gcMsPerDelivery('minor'),
      receiverGcMajorMsPerDelivery: gcMsPerDelivery('major') + gcMsPerDelivery('incremental'),
      receiverLiveHeapBeforeRoundsMb: heapBefore.heapUsedMb,
      receiverLiveHeapAfterRoundsMb: heapAfter.heapUsedMb,
      receiverRssAfterFullGcBeforeRoundsMb: heapBefore.rssMb,
      receiverRssAfterFullGcAfterRoundsMb: heapAfter.rssMb,
      receiverRssPeakMb: peakMb,
      receiverRssGrowthAcrossRoundsMb: afterGrowthMb,
      receiverRssLowestEarlierRoundsMb: troughEarlyMb,
      receiverRssLowestLaterRoundsMb: troughLateMb,
      receiverRssTroughGrowthMb: troughGrowthMb,
    };
    for (const [statement, cost] of Object.entries(pgView)) {
      const events = statement === 'baselineInsert' ? 1 : Number(/\d+$/.exec(statement)?.[0]);
      figures[`postgres_${statement}`] =
        `planning ${fmt2(cost.planningMs)} ms · execution ${fmt2(cost.executionMs)} ms · commit ${fmt2(cost.commitMs)} ms · ` +
        `${fmt2((cost.executionMs + cost.commitMs) / events)} ms per event (execution + commit) · WAL ${cost.walRecords} records ${cost.walBytes} B · blocks hit ${cost.sharedBlocksHit} read ${cost.sharedBlocksRead}`;
    }
    rounds.receiver.forEach((x, i) => {
      const bx = rounds.baseline[i];
      const m = memory[i];
      figures[`round${i + 1}`] =
        `baseline ${fmt(bx?.perSecond)}/s p50 ${fmt(bx?.p50)} p99 ${fmt(bx?.p99)} · receiver ${fmt(x.perSecond)}/s p50 ${fmt(x.p50)} p99 ${fmt(x.p99)} · ` +
        `ratio ${fmt((x.perSecond / (bx?.perSecond ?? NaN)) * 100) ?? ''}% · RSS MB before ${fmt(m?.beforeMb)} lowest ${fmt(m?.lowMb)} peak ${fmt(m?.peakMb)} after ${fmt(m?.afterMb)} · ` +
        `CPU ms/delivery baseline ${cpuText(bx)} · receiver ${cpuText(x)}`;
    });
    return {
      figures,
      goals: [
        { description: 'receiver throughput ≥ 0.8 × baseline (medians of the rounds)', met: throughputRatio >= 0.8 },
        { description: 'receiver p99 ≤ 2 × baseline p99 (medians of the rounds)', met: p99Ratio <= 2 },
        { description: 'every delivery answered 200 and stored once', met: failures === 0 && eventsStored === expectedEvents && eventsDistinct === expectedEvents },
        // A deploy is a build (pending, then succeeded: one pulse per state) and a release (one pulse).
        { description: 'one pulse per build state and per release, each linked to the service', met: buildPulses === 2 * (1 + deploysSent) && releasePulses === 1 + deploysSent && unlinkedPulses === 0 },
        // What the receiver retains: its live heap after a full collection, before and after all rounds.
        { description: 'receiver memory does not grow across rounds (live heap after a full GC: < 16 MB more after the rounds than before)', met: heapAfter.heapUsedMb - heapBefore.heapUsedMb < 16 },
      ],
      notes: [
        `${SENDERS} concurrent senders, ${ROUNDS} alternating rounds of ${DEPLOYS_PER_ROUND * templates.length} signed deliveries per side (build pending, build succeeded, release create, release final), after ${WARMUP_DEPLOYS * templates.length} warm-up deliveries each`,
        'receiver: `node dist/src/main.js` (API and worker, LOG_LEVEL info, logs to a file), external PostgreSQL, Temporal dev server',
        'baseline: its own Node process, bare Koa route, the same HMAC check, one INSERT of the body as jsonb (pg pool of 10, like the receiver)',
        'load generator: a third Node process (fetch, keep-alive); all three and PostgreSQL share the machine',
        'postgres_*: EXPLAIN (ANALYZE, BUFFERS, WAL) of the baseline INSERT and of the receiver statement for 1, 8 and 32 deliveries, then a timed COMMIT (medians of 30); planning is paid on every run here, but by the receiver\'s prepared statement only on its first runs per connection',
      ],
    };
  } finally {
    for (const child of children.reverse()) await stopChild(child);
    await stack.h.db.raw('drop table if exists bench_baseline_inserts');
    await stack.close();
  }
}

/** What the receiver's route hands its recorder for a delivery it accepted (src/api/routes/heroku-webhooks.ts). */
function recordInput(integrationId: string, appName: string, sealedSecret: string, body: string): RecordEventInput {
  const event = parseHerokuEvent(JSON.parse(body));
  return recordEventInput({ integrationId, appName, sealedSecret, envelope: event.envelope, rawBody: Buffer.from(body), interpreted: interpretEvent(event, new Date()) });
}

/** dynopulse as a user starts it, with this stack's PostgreSQL, Temporal and simulators; ready once /readyz answers 200. */
async function startReceiver(stackEnv: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const logFile = path.join(projectRoot, 'test-artifacts', 'bench-ingest-receiver.log');
  const out = openSync(logFile, 'w');
  const extra = (process.env.INGEST_RECEIVER_NODE_OPTIONS ?? '').split(' ').filter(Boolean);
  const probe = ['--expose-gc', '--require', path.join(__dirname, 'support', 'heap-probe.js')];
  const child = spawn(process.execPath, ['--enable-source-maps', ...probe, ...extra, path.join(projectRoot, 'dist', 'src', 'main.js')], {
    cwd: projectRoot,
    env: { ...process.env, ...stackEnv, PORT: String(port), PUBLIC_URL: url, LOG_LEVEL: process.env.INGEST_RECEIVER_LOG_LEVEL ?? 'info', HEAP_PROBE_FILE },
    stdio: ['ignore', out, out],
  });
  closeSync(out);
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the receiver exited with ${child.exitCode}; see ${logFile}`);
    const ready = await fetch(`${url}/readyz`).then((r) => r.status === 200, () => false);
    if (ready) return { child, url };
    if (Date.now() > deadline) throw new Error(`the receiver did not become ready in 60 s; see ${logFile}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const HEAP_PROBE_FILE = path.join(projectRoot, 'test-artifacts', 'bench-ingest-heap.json');

/** The receiver's live heap and RSS right after a full collection (bench/support/heap-probe.ts). */
async function liveHeap(child: ChildProcess): Promise<{ heapUsedMb: number; rssMb: number }> {
  rmSync(HEAP_PROBE_FILE, { force: true });
  child.kill('SIGUSR2');
  const deadline = Date.now() + 30_000;
  // The probe renames a complete file into place: once it exists, it is whole.
  while (!existsSync(HEAP_PROBE_FILE)) {
    if (Date.now() > deadline) throw new Error('the receiver did not answer the heap probe in 30 s');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return JSON.parse(readFileSync(HEAP_PROBE_FILE, 'utf8')) as { heapUsedMb: number; rssMb: number };
}

async function forkReady(file: string, env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(file, [], { env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m: { port: number }) => resolve(m.port));
    child.once('exit', (code) => reject(new Error(`${path.basename(file)} exited with ${code}`)));
  });
  return { child, port };
}

function sendRound(senders: ChildProcess, input: SendersInput): Promise<SendersResult> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`the sender process exited with ${code}`));
    senders.once('exit', onExit);
    senders.once('message', (result: SendersResult) => {
      senders.off('exit', onExit);
      resolve(result);
    });
    senders.send(input);
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  if (child.connected) child.disconnect();
  child.kill('SIGTERM');
  await exited;
}

/** RSS of a process (MB) now, its peak and lowest sampled every 50 ms until stop(); stop() waits 1 s and reads it again. */
function sampleRss(pid: number): { stop(): Promise<RssSample> } {
  const read = () => {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return Number(m?.[1] ?? NaN) / 1024;
  };
  const beforeMb = read();
  let peakMb = beforeMb;
  let lowMb = beforeMb;
  const sample = () => {
    const mb = read();
    peakMb = Math.max(peakMb, mb);
    lowMb = Math.min(lowMb, mb);
  };
  const timer = setInterval(sample, 50);
  return {
    async stop() {
      clearInterval(timer);
      sample();
      await new Promise((resolve) => setTimeout(resolve, 1000));
      return { beforeMb, peakMb, lowMb, afterMb: read() };
    },
  };
}

interface RssSample {
  beforeMb: number;
  peakMb: number;
  /** The lowest reading: just after a full garbage collection, if one ran in the round. */
  lowMb: number;
  afterMb: number;
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

function summarize(run: SendersResult): Omit<Round, 'cpuMsPerDelivery' | 'machineBusy'> {
  const latencies = [...run.latenciesMs].sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  if (run.failures > 0) console.error(`  ${run.failures} failed requests, e.g. status ${run.failureStatuses.join(', ')}`);
  return { requests: latencies.length, perSecond: latencies.length / run.seconds, p50: at(0.5), p99: at(0.99), failures: run.failures };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? NaN) : ((s[mid - 1] ?? NaN) + (s[mid] ?? NaN)) / 2;
}

function medians(rounds: Round[]): { perSecond: number; p50: number; p99: number } {
  return { perSecond: median(rounds.map((x) => x.perSecond)), p50: median(rounds.map((x) => x.p50)), p99: median(rounds.map((x) => x.p99)) };
}

const cpuText = (r: Round | undefined) =>
  r ? `server ${fmt2(r.cpuMsPerDelivery.server)} pg ${fmt2(r.cpuMsPerDelivery.postgres)} senders ${fmt2(r.cpuMsPerDelivery.senders)} machine ${fmt2(r.cpuMsPerDelivery.machine)} (busy ${fmt2(r.machineBusy)})` : 'n/a';
const fmt2 = (x: number) => String(Math.round(x * 100) / 100);
const fmt = (x: number | undefined) => (x === undefined ? 'n/a' : String(Math.round(x * 10) / 10));
