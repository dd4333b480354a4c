import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { bundleWorkflowCode, type NativeConnection, type WorkflowBundle } from '@temporalio/worker';
import { SecretBox } from '../../src/crypto/secret-box';
import { createDb, migrate, type Db } from '../../src/db/knex';
import { createLogger, type Logger } from '../../src/log';
import { projectRoot } from '../../src/paths';
import { locateTemporalCli } from '../../src/temporal/cli-binary';
import { connectClient, connectWorkerConnection } from '../../src/temporal/connect';
import { loadTemporalConnectionSettings } from '../../src/temporal/connection-config';
import { failureConverterPath } from '../../src/temporal/data-converter';
import { startDevServer, type DevServer } from '../../src/temporal/dev-server';
import { installTemporalRuntime } from '../../src/temporal/runtime';
import { createTestDatabase, type TestDatabase } from './postgres';
import { freePort } from '../../src/runtime/free-port';

/**
 * The real parts every integration test shares for one run: a Temporal server (a dev server we
 * start, or TEMPORAL_ADDRESS), a fresh PostgreSQL database with migrations applied, a prebuilt
 * workflow bundle. Started lazily on first use, torn down by the root hooks.
 */
export interface Harness {
  logger: Logger;
  logFile: string;
  databaseUrl: string;
  db: Db;
  temporalAddress: string;
  namespace: string;
  encryptionKey: Buffer;
  box: SecretBox;
  temporal: Client;
  workerConnection: NativeConnection;
  workflowBundle: WorkflowBundle;
}

let harnessPromise: Promise<Harness> | undefined;
const teardowns: (() => Promise<void>)[] = [];

export function harness(): Promise<Harness> {
  harnessPromise ??= startHarness();
  return harnessPromise;
}

async function startHarness(): Promise<Harness> {
  const artifacts = path.join(projectRoot, 'test-artifacts');
  mkdirSync(artifacts, { recursive: true });
  const logFile = path.join(artifacts, 'test-run.log');
  const logger = createLogger({ level: process.env.LOG_LEVEL ?? 'debug', destination: createWriteStream(logFile, { flags: 'w' }) });
  installTemporalRuntime(logger);

  const database: TestDatabase = await createTestDatabase(logger);
  teardowns.push(() => database.drop());
  const db = createDb(database.url, { logger });
  teardowns.push(() => db.destroy());
  await migrate(db);

  // An external server (TEMPORAL_ADDRESS) is reached with the environment configuration, TLS and all.
  const external = process.env.TEMPORAL_ADDRESS ? loadTemporalConnectionSettings() : undefined;
  let temporalAddress = external?.address;
  if (!temporalAddress) {
    const binary = await locateTemporalCli({ projectRoot, onProvision: (m) => console.log(m) });
    const server: DevServer = await startDevServer({ binary, port: await freePort() });
    teardowns.push(() => server.stop());
    temporalAddress = server.address;
  }
  const namespace = process.env.TEMPORAL_NAMESPACE ?? 'default';
  const encryptionKey = randomBytes(32);
  const target = { ...external, address: temporalAddress, namespace };
  const temporal = await connectClient(target, encryptionKey);
  teardowns.push(() => temporal.connection.close());
  const workerConnection = await connectWorkerConnection(target);
  teardowns.push(() => workerConnection.close());
  const workflowBundle = await bundleWorkflowCode({
    workflowsPath: require.resolve('../../src/workflows'),
    failureConverterPath,
    logger: { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
  });

  return {
    logger,
    logFile,
    databaseUrl: database.url,
    db,
    temporalAddress,
    namespace,
    encryptionKey,
    box: new SecretBox(encryptionKey),
    temporal,
    workerConnection,
    workflowBundle,
  };
}

/** Called once by the root hooks after every test file ran. */
export async function teardownHarness(): Promise<void> {
  for (const stop of teardowns.reverse()) {
    try {
      await stop();
    } catch (err) {
      console.error('harness teardown:', err);
    }
  }
  teardowns.length = 0;
  harnessPromise = undefined;
}

