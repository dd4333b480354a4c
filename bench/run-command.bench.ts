import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { OutputStorage } from '../src/command-runs/output-storage';
import { OutputWriter } from '../src/command-runs/output-store';
import { pumpOutput } from '../src/activities/command-run/output-pump';
import { workflowIdForRun } from '../src/command-runs/run-id';
import type { Db } from '../src/db/knex';
import { attachToDyno } from '../src/rendezvous/client';
import { connectIntegration } from '../test/support/fixtures';
import { harness } from '../test/support/harness';
import { startStack, type Stack } from '../test/support/stack';
import type { BenchResult } from './run';

export const name = 'run-command';

const MB = 1024 * 1024;
const STREAM_BYTES = 200 * MB;
const STREAM_ROUNDS = 5;
const CONCURRENT_RUNS = 50;
const HEARTBEAT_TIMEOUT_S = 10; // src/workflows/run-command.ts
const TTFB_RUNS = 10;

/**
 * Run Command on Heroku (issue 5):
 * - streaming throughput from a Rendezvous socket into PostgreSQL (decode, marker, redaction,
 *   compression, inserts) against a baseline that reads the same TLS stream and discards it, and
 *   the peak RSS growth of each while 200 MB stream (the Rendezvous simulator runs in a child
 *   process, so the figures are the client's alone);
 * - 50 concurrent runs on one worker: all finish, heartbeats on time (no heartbeat timeout, no
 *   retried stream), staleness of the last heartbeat the server saw;
 * - time from workflow start to the first output byte stored, minus the simulator's own dyno boot.
 */
export async function run(): Promise<BenchResult> {
  const h = await harness();
  const loadBefore = loadavg()[0] ?? 0;
  const dir = await mkdtemp(path.join(tmpdir(), 'bench-run-command-'));
  const rendezvous = await RendezvousChild.start();
  try {
    const logFile = path.join(dir, 'app.log');
    await writeFile(logFile, logText(16 * MB));
    const outputStorage = new OutputStorage(h.databaseUrl);
    const streaming = await measureStreaming(h.db, outputStorage, rendezvous, logFile).finally(() => outputStorage.close());
    const stack = await startStack({ slack: { channels: [{ id: 'C1', name: 'ops', isMember: true }] } });
    try {
      const integration = await connectIntegration(stack, { apps: [{ name: 'bench-app', configVars: { DATABASE_URL: `postgres://u:${randomUUID()}@db/x` } }] });
      const concurrent = await measureConcurrentRuns(stack, integration.integrationId);
      const ttfb = await measureTimeToFirstByte(stack, integration.integrationId);
      const ratio = streaming.ours.mbps / streaming.baseline.mbps;
      return {
        figures: {
          streamMBps: streaming.ours.mbps,
          baselineReadMBps: streaming.baseline.mbps,
          streamToBaselineRatio: ratio,
          streamRoundsMBps: streaming.rounds.map((r) => r.ours.mbps.toFixed(0)).join(' '),
          baselineRoundsMBps: streaming.rounds.map((r) => r.baseline.mbps.toFixed(0)).join(' '),
          streamClientCpuSecondsPer200MB: streaming.ours.cpuSeconds,
          baselineClientCpuSecondsPer200MB: streaming.baseline.cpuSeconds,
          streamPeakRssGrowthMB: streaming.ours.rssGrowthMB,
          baselinePeakRssGrowthMB: streaming.baseline.rssGrowthMB,
          firstStreamPeakRssGrowthMB: streaming.firstStream.rssGrowthMB,
          storedMBPer200MB: streaming.storedMB,
          concurrentRuns: CONCURRENT_RUNS,
          concurrentSucceeded: concurrent.succeeded,
          concurrentWallSeconds: concurrent.wallSeconds,
          concurrentRetriedStreams: concurrent.retriedStreams,
          maxHeartbeatStalenessSeconds: concurrent.maxStalenessSeconds,
          firstByteStoredMsMedian: ttfb.totalMs,
          simulatorDynoBootMsMedian: ttfb.bootMs,
          firstByteBeyondBootMsMedian: ttfb.totalMs - ttfb.bootMs,
          machineCpus: cpus().length,
          loadAverage1mAtStart: loadBefore,
        },
        goals: [
          { description: `streaming into storage ≥ 0.5 × read-and-discard baseline (${ratio.toFixed(2)})`, met: ratio >= 0.5 },
          {
            description: `peak RSS growth streaming 200 MB < 64 MB (${streaming.ours.rssGrowthMB.toFixed(1)} MB; first stream of the process ${streaming.firstStream.rssGrowthMB.toFixed(1)} MB)`,
            met: Math.max(streaming.ours.rssGrowthMB, streaming.firstStream.rssGrowthMB) < 64,
          },
          { description: `${CONCURRENT_RUNS} concurrent runs on one worker all finish`, met: concurrent.succeeded === CONCURRENT_RUNS },
          { description: `heartbeats on time (no stream retried, staleness < ${HEARTBEAT_TIMEOUT_S} s)`, met: concurrent.retriedStreams === 0 && concurrent.maxStalenessSeconds < HEARTBEAT_TIMEOUT_S },
        ],
        notes: [
          `streaming: median of ${STREAM_ROUNDS} rounds of 200 MB of log lines (cat of a 16 MB log file), baseline and ours alternating, each timed from attach to the last byte read (baseline: the same client, attachToDyno, into a sink that only counts) or stored (ours: decoded, redacted against 8 config var values and the token patterns, then compressed and inserted by the output storage thread; the run row is created before and checked after, untimed; runs are deleted after the last round, as deleting dirties pages that the next round would write out), simulator in a child process; both share the machine's CPUs with the simulator (and, on a shared machine, with other work: see loadAverage1mAtStart)`,
          'heartbeat staleness: now − lastHeartbeatTime of the pending stream activity, polled each second (the SDK sends heartbeats to the server at most every 0.8 × heartbeatTimeout)',
          `first byte: median of ${TTFB_RUNS} runs of "echo first" from client start to the first chunk row in PostgreSQL; simulator boot = attach to first byte on a bare simulated dyno`,
        ],
      };
    } finally {
      await stack.close();
    }
  } finally {
    await rendezvous.close();
    await rm(dir, { recursive: true, force: true });
  }
}

interface StreamFigures {
  mbps: number;
  rssGrowthMB: number;
  /** CPU time of this process (all its threads: the output storage thread and libuv's pool too) for the 200 MB. */
  cpuSeconds: number;
}

interface StreamingFigures {
  baseline: StreamFigures;
  ours: StreamFigures;
  /** Every round, in order (baseline then ours), to show the spread behind the medians. */
  rounds: { baseline: StreamFigures; ours: StreamFigures }[];
  firstStream: StreamFigures;
  storedMB: number;
}

async function measureStreaming(db: Db, outputStorage: OutputStorage, rendezvous: RendezvousChild, logFile: string): Promise<StreamingFigures> {
  const command = `for i in $(seq 1 20); do cat ${logFile}; done | head -c ${STREAM_BYTES}`;
  const integrationId = randomUUID();
  await db('integrations').insert({ id: integrationId, org_id: 'bench', status: 'connected' });
  const secrets = Array.from({ length: 8 }, () => randomBytes(12).toString('base64url'));
  const rounds: StreamingFigures['rounds'] = [];
  const runIds: string[] = [];
  let storedBytes = 0;

  const readAndDiscard = (): Promise<StreamRound> =>
    Promise.resolve({
      stream: async () => {
        const attached = await attachToDyno(await rendezvous.create(command));
        let bytes = 0;
        const discard = {
          write: (chunk: Buffer) => {
            bytes += chunk.length;
            return true;
          },
          drain: () => Promise.resolve(),
        };
        await attached.pipeOutput(discard);
        if (bytes !== STREAM_BYTES) throw new Error(`baseline read ${bytes} bytes`);
      },
    });
  const streamIntoStorage = async (): Promise<StreamRound> => {
    const runId = `bench-${randomUUID()}`;
    runIds.push(runId);
    await db('command_runs').insert({ id: runId, workflow_id: runId, integration_id: integrationId, app_name: 'bench', input: '{}', status: 'running' });
    const writer = await OutputWriter.open(outputStorage, runId);
    return {
      stream: async () => {
        const attached = await attachToDyno(await rendezvous.create(command));
        await pumpOutput(attached, { writer, secrets, signal: new AbortController().signal }); // returns once all is stored
      },
      after: async () => {
        if (writer.bytes !== STREAM_BYTES) throw new Error(`stored ${writer.bytes} bytes`);
        const row = await db('command_run_output_chunks').where({ run_id: runId }).sum<{ sum: string }>({ sum: db.raw('octet_length(data)') }).first();
        storedBytes = Number(row?.sum ?? 0);
      },
    };
  };
  await (await readAndDiscard()).stream(); // warm-up: JIT, TLS session, file cache
  const firstStream = await measure(streamIntoStorage); // includes one-time allocations (code, pools)
  for (let round = 0; round < STREAM_ROUNDS; round++) rounds.push({ baseline: await measure(readAndDiscard), ours: await measure(streamIntoStorage) });
  // Deleted only now: a delete between rounds dirties the previous run's pages, which the next round would write out.
  await db('command_runs').whereIn('id', runIds).delete();
  return { baseline: median(rounds.map((r) => r.baseline)), ours: median(rounds.map((r) => r.ours)), rounds, firstStream, storedMB: storedBytes / MB };
}

/** One 200 MB stream: only `stream` (attach to the last byte stored or discarded) is measured; setup and checks are not. */
interface StreamRound {
  stream: () => Promise<void>;
  after?: () => Promise<void>;
}

/** MB/s of one 200 MB stream and the peak RSS growth over the RSS just before it. */
async function measure(prepare: () => Promise<StreamRound>): Promise<StreamFigures> {
  const round = await prepare();
  await new Promise((r) => setTimeout(r, 500)); // let the previous round's garbage settle a little
  const before = process.memoryUsage.rss();
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 10);
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  try {
    await round.stream();
  } finally {
    clearInterval(sampler);
  }
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  peak = Math.max(peak, process.memoryUsage.rss());
  await round.after?.();
  return { mbps: STREAM_BYTES / MB / seconds, rssGrowthMB: (peak - before) / MB, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}

function median(figures: StreamFigures[]): StreamFigures {
  const mid = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
  return { mbps: mid(figures.map((f) => f.mbps)), rssGrowthMB: mid(figures.map((f) => f.rssGrowthMB)), cpuSeconds: mid(figures.map((f) => f.cpuSeconds)) };
}

async function measureConcurrentRuns(stack: Stack, integrationId: string): Promise<{ succeeded: number; wallSeconds: number; retriedStreams: number; maxStalenessSeconds: number }> {
  const ids = Array.from({ length: CONCURRENT_RUNS }, () => `bench-${randomUUID()}`);
  const started = performance.now();
  await Promise.all(
    ids.map(async (id) => {
      const res = await stack.api('/api/command-runs', {
        method: 'POST',
        body: JSON.stringify({ id, integrationId, appName: 'bench-app', command: 'for i in $(seq 1 60); do echo "run {{ run.id | raw }} line $i"; sleep 0.25; done' }),
      });
      if (res.status !== 202) throw new Error(`POST /api/command-runs answered ${res.status}`);
    }),
  );
  let maxStaleness = 0;
  const open = new Set(ids);
  while (open.size > 0) {
    await Promise.all(
      [...open].map(async (id) => {
        const description = await stack.h.temporal.workflow.getHandle(workflowIdForRun(id)).describe();
        if (description.status.name !== 'RUNNING') {
          open.delete(id);
          return;
        }
        for (const activity of description.raw.pendingActivities ?? []) {
          const last = activity.lastHeartbeatTime;
          if (activity.activityType?.name !== 'streamRunOutput' || !last?.seconds) continue;
          maxStaleness = Math.max(maxStaleness, Date.now() / 1000 - (Number(last.seconds) + (last.nanos ?? 0) / 1e9));
        }
      }),
    );
    await new Promise((r) => setTimeout(r, 1_000));
  }
  const wallSeconds = (performance.now() - started) / 1000;
  const runs = await stack.h.db('command_runs').whereIn('id', ids).select('status');
  let retriedStreams = 0;
  for (const id of ids) {
    const history = await stack.h.temporal.workflow.getHandle(workflowIdForRun(id)).fetchHistory();
    retriedStreams += (history.events ?? []).filter((e) => (e.activityTaskStartedEventAttributes?.attempt ?? 1) > 1).length;
  }
  return { succeeded: runs.filter((r: { status: string }) => r.status === 'succeeded').length, wallSeconds, retriedStreams, maxStalenessSeconds: maxStaleness };
}

async function measureTimeToFirstByte(stack: Stack, integrationId: string): Promise<{ totalMs: number; bootMs: number }> {
  const totals: number[] = [];
  const boots: number[] = [];
  for (let i = 0; i < TTFB_RUNS; i++) {
    const id = `ttfb-${randomUUID()}`;
    const started = performance.now();
    const res = await stack.api('/api/command-runs', { method: 'POST', body: JSON.stringify({ id, integrationId, appName: 'bench-app', command: 'echo first; sleep 1' }) });
    if (res.status !== 202) throw new Error(`POST answered ${res.status}`);
    while (!(await stack.h.db('command_run_output_chunks').where({ run_id: id }).first('seq'))) await new Promise((r) => setTimeout(r, 5));
    totals.push(performance.now() - started);
    await stack.h.temporal.workflow.getHandle(workflowIdForRun(id)).result();

    // The simulator's own part: a bare dyno from attach to its first output byte.
    const session = stack.heroku.rendezvous.createSession({ dynoId: randomUUID(), dynoName: 'run.boot', command: 'echo first', env: {}, timeToLiveSeconds: 60, forceNoTty: true, attach: true });
    const bootStarted = performance.now();
    const attached = await attachToDyno(session.attachUrl as string);
    await new Promise<void>((resolve) => {
      void attached.pipeOutput({ write: () => (resolve(), true), drain: () => Promise.resolve() });
    });
    boots.push(performance.now() - bootStarted);
    attached.socket.destroy();
  }
  const mid = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
  return { totalMs: mid(totals), bootMs: mid(boots) };
}

/** Log-like lines (timestamps, ids, numbers vary): compresses about as well as real application logs. */
function logText(bytes: number): string {
  const lines: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const line = `2026-11-27T10:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}.${String(i % 1000).padStart(3, '0')}Z app[worker.${i % 7}]: INFO processed job ${(i * 7919) % 1000003} for account ${((i * 2654435761) >>> 0).toString(16)} in ${i % 997} ms status=${i % 13 === 0 ? 'retry' : 'ok'}\n`;
    lines.push(line);
    size += line.length;
  }
  return lines.join('');
}

/** The Rendezvous simulator in a child process (bench/support/rendezvous-child.ts). */
class RendezvousChild {
  private next = 0;
  private readonly waiting = new Map<number, (url: string) => void>();

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (m: { id?: number; attachUrl?: string }) => {
      if (m.id !== undefined && m.attachUrl) this.waiting.get(m.id)?.(m.attachUrl);
    });
  }

  static async start(): Promise<RendezvousChild> {
    const child = fork(path.join(__dirname, 'support', 'rendezvous-child.js'), { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    await new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('exit', (code) => reject(new Error(`rendezvous child exited with ${code}`)));
    });
    return new RendezvousChild(child);
  }

  create(command: string): Promise<string> {
    const id = this.next++;
    return new Promise((resolve) => {
      this.waiting.set(id, (url) => {
        this.waiting.delete(id);
        resolve(url);
      });
      this.child.send({ type: 'create', id, command });
    });
  }

  async close(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.send({ type: 'close' });
    await exited;
  }
}
