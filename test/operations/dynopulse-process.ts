import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../src/paths';

/**
 * A real dynopulse process (`node dist/src/main.js <role>`) for operations tests: its stdout and
 * stderr are kept in memory (the JSON log lines are what the tests read) and copied next to the
 * harness log.
 */
export interface DynopulseProcess {
  child: ChildProcess;
  /** Everything the process printed so far. */
  output(): string;
  /** The JSON log lines printed so far, parsed. */
  logs(): LogLine[];
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  /** SIGTERM, then wait for the exit code. */
  stop(): Promise<number | null>;
}

export type LogLine = Record<string, unknown> & { msg?: string; level?: string };

export async function spawnDynopulse(role: 'all' | 'api' | 'worker', env: NodeJS.ProcessEnv, logFile: string): Promise<DynopulseProcess> {
  const child = spawn(process.execPath, ['--enable-source-maps', path.join(projectRoot, 'dist', 'src', 'main.js'), role], {
    env: { ...process.env, ...env, NODE_EXTRA_CA_CERTS: path.join(projectRoot, 'test', 'fixtures', 'tls', 'ca.pem') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const copy = createWriteStream(logFile.replace(/\.log$/, `.${role}-${child.pid}.log`));
  const collect = (chunk: Buffer) => {
    out += chunk.toString('utf8');
    copy.write(chunk);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + 120_000;
  while (!out.includes('dynopulse is running')) {
    if (child.exitCode !== null) assert.fail(`dynopulse ${role} exited early:\n${out}`);
    if (Date.now() > deadline) assert.fail(`dynopulse ${role} not started in time:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    child,
    exited,
    output: () => out,
    logs: () =>
      out
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as LogLine),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** One sample's value from Prometheus text: the sum over series of `name` whose labels include `labels`. */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const found = Object.fromEntries([...(m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1], l[2]]));
    if (Object.entries(labels).every(([k, v]) => found[k] === v)) sum += Number(m[3]);
  }
  return sum;
}

/** GET a /metrics URL; fails the test unless it answers 200 in Prometheus text format. */
export async function scrape(url: string): Promise<string> {
  const res = await fetch(url);
  assert.equal(res.status, 200, `GET ${url}: ${res.status}`);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  return res.text();
}
