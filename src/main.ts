import type { Server } from 'node:http';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { NativeConnection, Worker } from '@temporalio/worker';
import { createActivityDeps } from './activities/deps';
import { createApi } from './api/app';
import { createHttpServer, listen } from './api/http-server';
import { ConfigError, loadConfig, type Config } from './config';
import { SecretBox } from './crypto/secret-box';
import { createDb, migrate, type Db } from './db/knex';
import { createLogger, type Logger } from './log';
import { projectRoot } from './paths';
import { resolveEncryptionKey } from './runtime/encryption-key';
import { startEmbeddedPostgres } from './runtime/embedded-postgres';
import { locateTemporalCli } from './temporal/cli-binary';
import { connectClient, connectWorkerConnection } from './temporal/connect';
import { startDevServer } from './temporal/dev-server';
import { installTemporalRuntime } from './temporal/runtime';
import { createWorker } from './worker';

type Role = 'all' | 'api' | 'worker';

/** Things to stop on shutdown, in reverse order of starting. */
type Stopper = { name: string; stop: () => Promise<void> };

async function main(role: Role): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    for (const problem of err.problems) console.error(`config error: ${problem}`);
    process.exit(2);
  }
  const logger = createLogger({ level: config.logLevel });
  const stoppers: Stopper[] = [];
  let shuttingDown = false;

  const shutdown = async (signal: string) => {
    if (shuttingDown) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    shuttingDown = true;
    logger.info({ signal }, 'shutting down');
    for (const s of stoppers.reverse()) {
      try {
        await s.stop();
        logger.info(`stopped ${s.name}`);
      } catch (err) {
        logger.error({ err }, `failed to stop ${s.name}`);
      }
    }
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGHUP', () => void shutdown('SIGHUP'));

  try {
    const dataDir = path.resolve(projectRoot, config.dataDir);
    config = { ...config, dataDir, encryptionKey: await resolveEncryptionKey(config.encryptionKey, dataDir) };
    installTemporalRuntime(logger);

    const databaseUrl = await ensurePostgres(config, logger, stoppers);
    const temporal = await ensureTemporal(config, logger, stoppers);
    config = { ...config, databaseUrl, temporal: { ...config.temporal, address: temporal.address, uiUrl: temporal.uiUrl } };

    const db = createDb(databaseUrl, { logger });
    stoppers.push({ name: 'database pool', stop: () => db.destroy() });
    await migrate(db);
    const box = new SecretBox(config.encryptionKey as Buffer, config.previousEncryptionKeys);

    if (role !== 'api') await startWorker(config, db, box, logger, stoppers);
    if (role !== 'worker') await startApi(config, db, box, logger, stoppers);

    const lines = [`dynopulse is running (${role === 'all' ? 'API and worker' : role})`];
    if (role !== 'worker') lines.push(`  API:         http://localhost:${config.port}  (public URL ${config.publicUrl})`);
    if (config.temporal.uiUrl) lines.push(`  Temporal UI: ${config.temporal.uiUrl}/namespaces/${config.temporal.namespace}/workflows`);
    lines.push(`  Temporal:    ${config.temporal.address} (namespace ${config.temporal.namespace}, task queue ${config.temporal.taskQueue})`, '  Ctrl-C stops everything.');
    console.log(lines.join('\n'));
  } catch (err) {
    logger.fatal({ err }, 'start-up failed');
    await shutdown('startup-failure');
  }
}

async function ensurePostgres(config: Config, logger: Logger, stoppers: Stopper[]): Promise<string> {
  if (config.databaseUrl) return config.databaseUrl;
  const pg = await startEmbeddedPostgres({ dataDir: config.dataDir, port: config.embedded.postgresPort, logger });
  stoppers.push({ name: 'embedded PostgreSQL', stop: () => pg.stop() });
  return pg.databaseUrl;
}

async function ensureTemporal(config: Config, logger: Logger, stoppers: Stopper[]): Promise<{ address: string; uiUrl: string | undefined }> {
  if (config.temporal.address) return { address: config.temporal.address, uiUrl: config.temporal.uiUrl };
  const binary = await locateTemporalCli({ projectRoot, onProvision: (m) => logger.info(m) });
  logger.info({ binary }, 'starting the Temporal dev server');
  const server = await startDevServer({
    binary,
    port: config.embedded.temporalPort,
    uiPort: config.embedded.temporalUiPort,
    dbFile: path.join(config.dataDir, 'temporal.sqlite'),
    namespace: config.temporal.namespace,
    // The Web UI decodes our encrypted payloads through the API's codec endpoint.
    uiCodecEndpoint: `${config.publicUrl}/codec`,
  });
  stoppers.push({ name: 'Temporal dev server', stop: () => server.stop() });
  return { address: server.address, uiUrl: config.temporal.uiUrl ?? server.uiUrl };
}

async function startWorker(config: Config, db: Db, box: SecretBox, logger: Logger, stoppers: Stopper[]): Promise<void> {
  const connection: NativeConnection = await connectWorkerConnection({ address: config.temporal.address as string, namespace: config.temporal.namespace });
  const worker: Worker = await createWorker({ connection, deps: createActivityDeps({ config, db, box, logger }) });
  const running = worker.run();
  running.catch((err: unknown) => {
    logger.fatal({ err }, 'the Temporal worker stopped unexpectedly');
    process.kill(process.pid, 'SIGTERM');
  });
  stoppers.push({
    name: 'Temporal worker',
    stop: async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running.catch(() => undefined);
      await connection.close();
    },
  });
}

async function startApi(config: Config, db: Db, box: SecretBox, logger: Logger, stoppers: Stopper[]): Promise<void> {
  const temporal: Client = await connectClient(
    { address: config.temporal.address as string, namespace: config.temporal.namespace },
    config.encryptionKey as Buffer,
    config.previousEncryptionKeys,
  );
  stoppers.push({ name: 'Temporal client', stop: () => temporal.connection.close() });
  const app = createApi({ config, db, temporal, box, logger });
  const server: Server = createHttpServer(app.callback());
  await listen(server, config.port);
  stoppers.push({
    name: 'API server',
    // Stop accepting, let in-flight requests finish, then drop idle keep-alive sockets.
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  });
}

const role = (process.argv[2] ?? 'all') as Role;
if (!['all', 'api', 'worker'].includes(role)) {
  console.error(`usage: node dist/src/main.js [all|api|worker]   (got "${role}")`);
  process.exit(2);
}
main(role).catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
