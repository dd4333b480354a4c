import path from 'node:path';
import knex, { type Knex } from 'knex';
import type { Logger } from '../log';

export type { Knex };
export type Db = Knex;

/** A knex pool for PostgreSQL. `pool.max` stays small: the worker and the API share one process by default. */
export function createDb(databaseUrl: string, options: { poolMax?: number; logger?: Logger } = {}): Db {
  const log = options.logger?.child({ component: 'knex' });
  return knex({
    // knex prints to the console by default; route it to our logs (or nowhere).
    log: {
      warn: (m: unknown) => log?.warn(String(m)),
      error: (m: unknown) => log?.error(String(m)),
      deprecate: (m: unknown) => log?.warn(String(m)),
      debug: (m: unknown) => log?.debug(String(m)),
    },
    client: 'pg',
    connection: databaseUrl,
    pool: { min: 0, max: options.poolMax ?? 10 },
    // Fail fast when PostgreSQL is down: the webhook receiver must answer 503 quickly so Heroku retries.
    acquireConnectionTimeout: 5_000,
  });
}

/**
 * Migrations are the compiled files of src/db/migrations, applied in file-name order. Numbering:
 * 0001–0099 foundation, 03xx install/integrations, 04xx pulses, 05xx command runs, 06xx operations.
 */
export const migrationConfig: Knex.MigratorConfig = {
  directory: path.join(__dirname, 'migrations'),
  loadExtensions: ['.js'],
  tableName: 'knex_migrations',
};

export async function migrate(db: Db): Promise<void> {
  await db.migrate.latest(migrationConfig);
}

/** True when PostgreSQL answers a trivial query (readiness). */
export async function pingDb(db: Db): Promise<boolean> {
  try {
    await db.raw('select 1');
    return true;
  } catch {
    return false;
  }
}
