import type { Server } from 'node:http';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { NativeConnection, Worker } from '@temporalio/worker';
import { createActivityDeps } from './activities/deps';
import { OutputStorage } from './command-runs/output-storage';
import { createApi } from './api/app';
import { createHttpServer, drainHttpServer, listen } from './api/http-server';
import { ConfigError, loadConfig, type Config } from './config';
import { SecretBox } from './crypto/secret-box';
import { createDb, migrate, type Db } from './db/knex';
import { createLogger, stdoutDestination, type Logger } from './log';
import { startMetricsServer } from './metrics/metrics-server';
import { projectRoot } from './paths';
import { resolveEncryptionKey } from './runtime/encryption-key';
import { startEmbeddedPostgres } from './runtime/embedded-postgres';
import { createNexusWorker } from './nexus/worker';
import { StartupError } from './runtime/startup-error';
import { locateTemporalCli } from './temporal/cli-binary';
import { connectClient, connectWorkerConnection, type TemporalTarget } from './temporal/connect';
import { describeSecurity, devServerConnectionSettings, loadTemporalConnectionSettings, verifyTemporalConnection } from './temporal/connection-config';
import { startDevServer } from './temporal/dev-server';
import { installTemporalRuntime, installTemporalRuntimeWithMetrics } from './temporal/runtime';
import { createWorker } from './worker';
import { startTracing, stopTracing } from './telemetry/tracing';

type Role = 'all' | 'api' | 'worker';

/**
 * Something to stop on shutdown. `drain` stoppers (the API server, the worker) stop first and
 * together, each within the grace period, while everything they use still works; then the `close`
 * stoppers run one by one in reverse order of starting (PostgreSQL pool, Temporal connections,
 * metrics listener, embedded servers).
 */
type Stopper = { name: string; phase: 'drain' | 'close'; stop: () => Promise<void> };

/** Past the grace period, how long closing connections and embedded servers may take before we give up. */
const CLOSE_MARGIN_SECONDS = 15;

async function main(role: Role): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    for (const problem of err.problems) console.error(`config error: ${problem}`);
    process.exit(2);
  }
  const logger = createLogger({ level: config.logLevel, destination: stdoutDestination() });
  const stoppers: Stopper[] = [];
  // First in, so closed last: the spans of the shutdown itself are still sent.
  if (startTracing()) {
    stoppers.push({ name: 'tracing', phase: 'close', stop: stopTracing });
    logger.info({ endpoint: process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || process.env.OTEL_EXPORTER_OTLP_ENDPOINT }, 'OpenTelemetry tracing on (OTLP/HTTP)');
  }
  let shuttingDown = false;

  const shutdown = async (signal: string, exitCode = 0) => {
    if (shuttingDown) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    shuttingDown = true;
    const graceSeconds = config.shutdownGraceSeconds;
    logger.info({ signal, graceSeconds }, 'shutting down');
    // Whatever hangs, the process ends (a platform would SIGKILL it soon anyway).
    setTimeout(() => {
      logger.error({ graceSeconds }, 'shutdown did not finish within the grace period and its margin; exiting');
      process.exit(1);
    }, (graceSeconds + CLOSE_MARGIN_SECONDS) * 1000).unref();
    const stop = async (s: Stopper) => {
      try {
        await s.stop();
        logger.info(`stopped ${s.name}`);
      } catch (err) {
        logger.error({ err }, `failed to stop ${s.name}`);
      }
    };
    await Promise.all(stoppers.filter((s) => s.phase === 'drain').map(stop));
    for (const s of stoppers.filter((s) => s.phase === 'close').reverse()) await stop(s);
    process.exit(exitCode);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGHUP', () => void shutdown('SIGHUP'));

  try {
    const dataDir = path.resolve(projectRoot, config.dataDir);
    config = { ...config, dataDir, encryptionKey: await resolveEncryptionKey(config.encryptionKey, dataDir) };
    // The Runtime's own metrics are worth exporting where a worker runs and /metrics is served.
    const servesMetrics = config.metricsAddress !== undefined || role !== 'worker';
    if (role !== 'api' && servesMetrics) await installTemporalRuntimeWithMetrics(logger);
    else installTemporalRuntime(logger);

    // The connection settings (profile file, TLS material) are checked before anything starts,
    // and an external cluster must answer before we go on: a wrong setting fails with its name.
    // PostgreSQL comes between them so that a checkout embedded PostgreSQL cannot use is named
    // first (it is found at once; a Temporal that does not answer takes up to its deadline).
    let connection = loadTemporalConnectionSettings();
    config = { ...config, temporal: { ...config.temporal, address: connection.address, namespace: connection.namespace } };
    const databaseUrl = await ensurePostgres(config, logger, stoppers);
    if (connection.address) await verifyTemporalConnection(connection);

    const temporal = await ensureTemporal(config, logger, stoppers);
    if (!connection.address) connection = devServerConnectionSettings(temporal.address, connection.namespace);
    config = { ...config, databaseUrl, temporal: { ...config.temporal, address: temporal.address, uiUrl: temporal.uiUrl } };
    const target = connection as TemporalTarget;

    const db = createDb(databaseUrl, { logger });
    stoppers.push({ name: 'database pool', phase: 'close', stop: () => db.destroy() });
    await migrate(db);
    const box = new SecretBox(config.encryptionKey as Buffer, config.previousEncryptionKeys);

    const onWorkerFailure = (err: unknown) => {
      if (shuttingDown) return; // the worker's stopper reports it
      logger.fatal({ err }, 'the Temporal worker stopped unexpectedly');
      void shutdown('worker-failure', 1);
    };
    if (role !== 'api') await startWorker(config, target, db, box, logger, stoppers, onWorkerFailure);
    if (role !== 'worker') await startApi(config, target, db, box, logger, stoppers);
    const metricsUrl = await startMetrics(config, role, logger, stoppers);

    const lines = [`dynopulse is running (${role === 'all' ? 'API and worker' : role})`];
    if (role !== 'worker') lines.push(`  API:         http://localhost:${config.port}  (public URL ${config.publicUrl})`);
    if (metricsUrl) lines.push(`  Metrics:     ${metricsUrl}`);
    if (config.temporal.uiUrl) lines.push(`  Temporal UI: ${config.temporal.uiUrl}/namespaces/${config.temporal.namespace}/workflows`);
    lines.push(`  Temporal:    ${config.temporal.address} (namespace ${config.temporal.namespace}, task queue ${config.temporal.taskQueue}), ${describeSecurity(connection)}`, '  Ctrl-C stops everything.');
    console.log(lines.join('\n'));
  } catch (err) {
    if (err instanceof StartupError) {
      console.error(`dynopulse cannot start: ${err.message}`);
      logger.fatal(err.message);
    } else logger.fatal({ err }, 'start-up failed');
    await shutdown('startup-failure', 1);
  }
}

async function ensurePostgres(config: Config, logger: Logger, stoppers: Stopper[]): Promise<string> {
  if (config.databaseUrl) return config.databaseUrl;
  const pg = await startEmbeddedPostgres({ dataDir: config.dataDir, port: config.embedded.postgresPort, logger });
  stoppers.push({ name: 'embedded PostgreSQL', phase: 'close', stop: () => pg.stop() });
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
  stoppers.push({ name: 'Temporal dev server', phase: 'close', stop: () => server.stop() });
  return { address: server.address, uiUrl: config.temporal.uiUrl ?? server.uiUrl };
}

/**
 * The worker. On shutdown it stops polling at once; running activities get the grace period to
 * finish, then are cancelled (reason WORKER_SHUTDOWN), so their attempt fails retryably and
 * another worker takes over.
 */
async function startWorker(config: Config, target: TemporalTarget, db: Db, box: SecretBox, logger: Logger, stoppers: Stopper[], onFailure: (err: unknown) => void): Promise<void> {
  const connection: NativeConnection = await connectWorkerConnection(target);
  stoppers.push({ name: 'Temporal worker connection', phase: 'close', stop: () => connection.close() });
  const outputStorage = new OutputStorage(config.databaseUrl as string, logger);
  stoppers.push({ name: 'output storage', phase: 'close', stop: () => outputStorage.close() });
  const worker: Worker = await createWorker({ connection, deps: createActivityDeps({ config, db, box, logger, outputStorage }) });
  const nexusWorker: Worker = await createNexusWorker({ connection, config, db });
  for (const [name, w] of [['Temporal worker', worker], ['Nexus worker', nexusWorker]] as const) {
    const running = w.run();
    running.catch(onFailure);
    stoppers.push({
      name,
      phase: 'drain',
      stop: async () => {
        if (w.getState() === 'RUNNING') w.shutdown();
        await running;
      },
    });
  }
}

async function startApi(config: Config, target: TemporalTarget, db: Db, box: SecretBox, logger: Logger, stoppers: Stopper[]): Promise<void> {
  const temporal: Client = await connectClient(
    target,
    config.encryptionKey as Buffer,
    config.previousEncryptionKeys,
  );
  stoppers.push({ name: 'Temporal client', phase: 'close', stop: () => temporal.connection.close() });
  const app = createApi({ config, db, temporal, box, logger });
  const server: Server = createHttpServer(app.callback());
  await listen(server, config.port);
  stoppers.push({ name: 'API server', phase: 'drain', stop: () => drainHttpServer(server, config.shutdownGraceSeconds * 1000) });
}

/**
 * Where /metrics is served: on METRICS_ADDRESS when set (the API route is then off; its URL is
 * returned for the banner), else by the API on its own port; a worker-only process without
 * METRICS_ADDRESS serves none.
 */
async function startMetrics(config: Config, role: Role, logger: Logger, stoppers: Stopper[]): Promise<string | undefined> {
  if (config.metricsAddress) {
    const server = await startMetricsServer(config.metricsAddress, logger);
    stoppers.push({ name: 'metrics listener', phase: 'close', stop: () => server.close() });
    return server.url;
  }
  if (role === 'worker') logger.info('no metrics listener: set METRICS_ADDRESS (e.g. 0.0.0.0:9464) to scrape this worker');
  return undefined; // the API serves /metrics on its own port
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
