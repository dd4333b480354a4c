import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import type { Worker } from '@temporalio/worker';
import { createActivityDeps, type ActivityDeps } from '../../src/activities/deps';
import { OutputStorage } from '../../src/command-runs/output-storage';
import { createApi } from '../../src/api/app';
import { createHttpServer, listen } from '../../src/api/http-server';
import { loadConfig, type Config } from '../../src/config';
import { projectRoot } from '../../src/paths';
import { createWorker } from '../../src/worker';
import { HerokuSimulator } from '../simulators/heroku';
import { SlackSimulator } from '../simulators/slack';
import { harness, type Harness } from './harness';

export const OAUTH_CLIENT = { id: 'dynopulse-test-client', secret: 'test-oauth-client-secret-0123456789' };
export const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';

/** `fetch` against a stack's API with the admin token (and a JSON content type when there is a body). */
export function adminApi(apiUrl: string): Stack['api'] {
  return (pathname, init = {}) =>
    fetch(`${apiUrl}${pathname}`, {
      ...init,
      headers: {
        Authorization: `Bearer ${ADMIN_TOKEN}`,
        ...(init.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
        ...(init.headers as Record<string, string> | undefined),
      },
    });
}
export const SLACK_BOT_TOKEN = 'xoxb-test-bot-token-000000000';

export interface StackOptions {
  heroku?: Parameters<typeof HerokuSimulator.start>[0];
  slack?: Parameters<typeof SlackSimulator.start>[0];
  /** Run the worker in this process (default) or not at all (tests that spawn worker processes). */
  inProcessWorker?: boolean;
  /** Extra environment for the stack's config (e.g. a different ADMIN_API_TOKEN). */
  env?: NodeJS.ProcessEnv;
}

/**
 * One dynopulse deployment for a test: its own Heroku and Slack simulators, its own task queue,
 * the API on a random port and (by default) a worker in this process. Call close() in `after`.
 */
export interface Stack {
  h: Harness;
  config: Config;
  /** Environment that reproduces this stack's config in a child process (`node dist/src/main.js worker`). */
  env: NodeJS.ProcessEnv;
  apiUrl: string;
  heroku: HerokuSimulator;
  slack: SlackSimulator;
  worker: Worker | undefined;
  /** What the stack's activities use (also when the worker runs elsewhere): to call an activity directly. */
  deps: ActivityDeps;
  /** fetch() against the API with the admin token. */
  api(pathname: string, init?: RequestInit): Promise<Response>;
  spawnWorker(): Promise<WorkerProcess>;
  close(): Promise<void>;
}

export interface WorkerProcess {
  child: ChildProcess;
  /** SIGKILL: no shutdown hooks, no drain — a crashed host. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

/** The environment of a dynopulse process (in this test process or a child) wired to a stack's parts. */
export function stackEnv(
  parts: { apiUrl: string; databaseUrl: string; temporalAddress: string; namespace: string; taskQueue: string; heroku: HerokuSimulator; slack: SlackSimulator; encryptionKey: Buffer },
  overrides: NodeJS.ProcessEnv = {},
): NodeJS.ProcessEnv {
  return {
    PUBLIC_URL: parts.apiUrl,
    DATABASE_URL: parts.databaseUrl,
    TEMPORAL_ADDRESS: parts.temporalAddress,
    TEMPORAL_NAMESPACE: parts.namespace,
    TEMPORAL_TASK_QUEUE: parts.taskQueue,
    HEROKU_OAUTH_ID: OAUTH_CLIENT.id,
    HEROKU_OAUTH_SECRET: OAUTH_CLIENT.secret,
    HEROKU_API_URL: parts.heroku.apiUrl,
    HEROKU_ID_URL: parts.heroku.idUrl,
    SLACK_BOT_TOKEN,
    SLACK_API_URL: parts.slack.apiUrl,
    SLACK_SIGNING_SECRET: parts.slack.signingSecret,
    ADMIN_API_TOKEN: ADMIN_TOKEN,
    ENCRYPTION_KEY: parts.encryptionKey.toString('base64'),
    LOG_LEVEL: 'debug',
    ...overrides,
  };
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const h = await harness();
  const heroku = await HerokuSimulator.start({ oauthClients: [{ ...OAUTH_CLIENT, name: 'dynopulse (test)' }], ...options.heroku });
  const slack = await SlackSimulator.start({ botToken: SLACK_BOT_TOKEN, ...options.slack });

  // The API's own server and limits; the app is attached once its URL (PUBLIC_URL) is known.
  const server = createHttpServer();
  const apiUrl = `http://127.0.0.1:${await listen(server, 0, '127.0.0.1')}`;
  slack.setInteractivityUrl(`${apiUrl}/slack/interactions`);
  const env = stackEnv({ apiUrl, databaseUrl: h.databaseUrl, temporalAddress: h.temporalAddress, namespace: h.namespace, taskQueue: `test-${randomUUID()}`, heroku, slack, encryptionKey: h.encryptionKey }, options.env);
  const config = loadConfig(env);
  const logger = h.logger.child({ taskQueue: config.temporal.taskQueue });
  const app = createApi({ config, db: h.db, temporal: h.temporal, box: h.box, logger });
  server.on('request', app.callback());

  let worker: Worker | undefined;
  let workerRun: Promise<void> | undefined;
  const outputStorage = new OutputStorage(h.databaseUrl, logger);
  const deps = createActivityDeps({ config, db: h.db, box: h.box, logger, outputStorage });
  if (options.inProcessWorker !== false) {
    worker = await createWorker({
      connection: h.workerConnection,
      deps,
      workflowBundle: h.workflowBundle,
      shutdownGraceTime: '5s',
    });
    workerRun = worker.run();
  }
  const children = new Set<WorkerProcess>();

  return {
    h,
    config,
    env,
    apiUrl,
    heroku,
    slack,
    worker,
    deps,
    api: adminApi(apiUrl),
    async spawnWorker() {
      const proc = await spawnWorkerProcess(env, h.logFile);
      children.add(proc);
      return proc;
    },
    async close() {
      for (const c of children) await c.stop();
      if (worker && worker.getState() === 'RUNNING') worker.shutdown();
      await workerRun;
      await outputStorage.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await heroku.close();
      await slack.close();
    },
  };
}

/** A real worker process (`node dist/src/main.js worker`) sharing the stack's config; resolves once it polls. */
async function spawnWorkerProcess(env: NodeJS.ProcessEnv, logFile: string): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ['--enable-source-maps', path.join(projectRoot, 'dist', 'src', 'main.js'), 'worker'], {
    env: { ...process.env, ...env, NODE_EXTRA_CA_CERTS: path.join(projectRoot, 'test', 'fixtures', 'tls', 'ca.pem') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = createWriteStream(logFile.replace(/\.log$/, `.worker-${child.pid}.log`));
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      if (out.includes('dynopulse is running')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`worker process exited with ${code} before it was ready; see ${logFile}`)));
  });
  return {
    child,
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
