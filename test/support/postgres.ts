import { randomBytes } from 'node:crypto';
import path from 'node:path';
import knex from 'knex';
import { projectRoot } from '../../src/paths';
import { startEmbeddedPostgres } from '../../src/runtime/embedded-postgres';
import type { Logger } from '../../src/log';

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/**
 * A fresh database for this test run on a real PostgreSQL: the server of DATABASE_URL if set,
 * else the local server at 127.0.0.1:5432, else an embedded one under .data/test-postgres.
 */
export async function createTestDatabase(logger: Logger): Promise<TestDatabase> {
  let stopServer: (() => Promise<void>) | undefined;
  let serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    const local = 'postgres://postgres@127.0.0.1:5432/postgres';
    if (await answers(local)) {
      serverUrl = local;
    } else {
      const embedded = await startEmbeddedPostgres({ dataDir: path.join(projectRoot, '.data', 'test-postgres'), port: 54339, logger });
      serverUrl = embedded.databaseUrl;
      stopServer = embedded.stop;
    }
  }
  const name = `dynopulse_test_${Date.now()}_${randomBytes(3).toString('hex')}`;
  const admin = knex({ client: 'pg', connection: serverUrl, pool: { min: 0, max: 1 } });
  await admin.raw(`create database ${name}`);
  await admin.destroy();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const a = knex({ client: 'pg', connection: serverUrl, pool: { min: 0, max: 1 } });
      await a.raw(`drop database if exists ${name} with (force)`);
      await a.destroy();
      await stopServer?.();
    },
  };
}

async function answers(url: string): Promise<boolean> {
  const db = knex({ client: 'pg', connection: { connectionString: url, connectionTimeoutMillis: 2_000 }, pool: { min: 0, max: 1 } });
  try {
    await db.raw('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await db.destroy();
  }
}
