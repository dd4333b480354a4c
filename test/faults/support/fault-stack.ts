import { randomBytes, randomUUID } from 'node:crypto';
import { createWriteStream, mkdirSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { NativeConnection, WorkflowBundle } from '@temporalio/worker';
import { createActivityDeps } from '../../../src/activities/deps';
import { createApi } from '../../../src/api/app';
import { OutputStorage } from '../../../src/command-runs/output-storage';
import { createHttpServer, listen } from '../../../src/api/http-server';
import { loadConfig } from '../../../src/config';
import { SecretBox } from '../../../src/crypto/secret-box';
import { createDb, migrate } from '../../../src/db/knex';
import { createLogger } from '../../../src/log';
import { projectRoot } from '../../../src/paths';
import { locateTemporalCli } from '../../../src/temporal/cli-binary';
import { connectClient } from '../../../src/temporal/connect';
import { HerokuSimulator } from '../../simulators/heroku';
import { SlackSimulator } from '../../simulators/slack';
import type { Harness } from '../../support/harness';
import { freePort } from '../../../src/runtime/free-port';
import { adminApi, OAUTH_CLIENT, SLACK_BOT_TOKEN, stackEnv, type Stack, type StackOptions, type WorkerProcess } from '../../support/stack';
import { OwnedPostgres } from './owned-postgres';
import { OwnedTemporal } from './owned-temporal';
import { spawnWorkerProcess } from './worker-process';

/**
 * One dynopulse deployment that a fault scenario owns entirely, so it can break any part of it:
 * its own PostgreSQL (restartable), its own Temporal dev server (restartable, state in SQLite),
 * its own Heroku and Slack simulators, the API in this process, and workers only as real
 * processes (`node dist/src/main.js worker`) that the scenario may SIGKILL.
 *
 * It is a {@link Stack}, so the helpers of the normal suite (fixtures, install and run helpers)
 * work on it unchanged.
 */
export interface FaultStack extends Stack {
  postgres: OwnedPostgres;
  temporalServer: OwnedTemporal;
  /** Where this scenario's logs are (API log; one file per worker process). */
  logPrefix: string;
}

export async function startFaultStack(name: string, options: Pick<StackOptions, 'heroku' | 'slack' | 'env'> = {}): Promise<FaultStack> {
  const artifacts = path.join(projectRoot, 'test-artifacts', 'faults');
  mkdirSync(artifacts, { recursive: true });
  const logPrefix = path.join(artifacts, name);
  const logFile = `${logPrefix}.log`;
  const logger = createLogger({ level: 'debug', destination: createWriteStream(logFile, { flags: 'w' }) });
  const closers: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const stop of closers.reverse()) {
      try {
        await stop();
      } catch (err) {
        console.error(`fault stack ${name}: teardown:`, err);
      }
    }
    closers.length = 0;
  };

  try {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), `dynopulse-fault-${name}-`));
    // PostgreSQL runs as the `postgres` user when we are root: it must reach its data directory.
    await chmod(dataDir, 0o755);
    closers.push(() => rm(dataDir, { recursive: true, force: true }));

    const postgres = await OwnedPostgres.start({ dataDir: path.join(dataDir, 'pg'), port: await freePort(), logger });
    closers.push(() => postgres.stop());
    const db = createDb(postgres.databaseUrl, { logger });
    closers.push(() => db.destroy());
    await migrate(db);

    const binary = await locateTemporalCli({ projectRoot, onProvision: (m) => console.log(m) });
    const temporalServer = await OwnedTemporal.start({ binary, port: await freePort(), dataDir });
    closers.push(() => temporalServer.stop());
    const namespace = 'default';
    const encryptionKey = randomBytes(32);
    const temporal = await connectClient({ address: temporalServer.address, namespace }, encryptionKey);
    closers.push(() => temporal.connection.close());

    const heroku = await HerokuSimulator.start({ oauthClients: [{ ...OAUTH_CLIENT, name: 'dynopulse (fault suite)' }], ...options.heroku });
    closers.push(() => heroku.close());
    const slack = await SlackSimulator.start({ botToken: SLACK_BOT_TOKEN, ...options.slack });
    closers.push(() => slack.close());

    const server = createHttpServer();
    const apiUrl = `http://127.0.0.1:${await listen(server, 0, '127.0.0.1')}`;
    closers.push(
      () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    );
    const env = stackEnv(
      { apiUrl, databaseUrl: postgres.databaseUrl, temporalAddress: temporalServer.address, namespace, taskQueue: `fault-${name}-${randomUUID().slice(0, 8)}`, heroku, slack, encryptionKey },
      options.env,
    );
    const config = loadConfig(env);
    const box = new SecretBox(encryptionKey);
    server.on('request', createApi({ config, db, temporal, box, logger }).callback());

    const h: Harness = {
      logger,
      logFile,
      databaseUrl: postgres.databaseUrl,
      db,
      temporalAddress: temporalServer.address,
      namespace,
      encryptionKey,
      box,
      temporal,
      // Workers of a fault stack are processes: nothing in this process may poll its task queue.
      get workerConnection(): NativeConnection {
        throw new Error('a fault stack runs its workers as processes: use spawnWorker()');
      },
      get workflowBundle(): WorkflowBundle {
        throw new Error('a fault stack runs its workers as processes: use spawnWorker()');
      },
    };

    const outputStorage = new OutputStorage(postgres.databaseUrl);
    closers.push(() => outputStorage.close());
    const workers = new Set<WorkerProcess>();
    // Worker processes stop first: they must not outlive the servers they talk to.
    closers.push(async () => {
      for (const w of workers) await w.stop();
    });

    return {
      h,
      config,
      env,
      apiUrl,
      heroku,
      slack,
      worker: undefined,
      deps: createActivityDeps({ config, db, box, logger, outputStorage }),
      postgres,
      temporalServer,
      logPrefix,
      api: adminApi(apiUrl),
      async spawnWorker() {
        const worker = await spawnWorkerProcess(env, logPrefix);
        workers.add(worker);
        return worker;
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
