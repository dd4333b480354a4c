import type pg from 'pg';
import type { Db } from '../db/knex';

/**
 * Runs one named prepared statement on a connection of knex's pool (the same pool, size and
 * acquire timeout as every other query), bypassing knex's query building. PostgreSQL parses and
 * plans the statement once per connection; each later call sends only its parameters (Bind,
 * Execute), which is what the webhook hot path needs. A connection that fails is marked by
 * knex's own error/end listeners and discarded by the pool on release.
 */
export async function queryPrepared<R extends pg.QueryResultRow>(db: Db, statement: { name: string; text: string }, values: unknown[]): Promise<R[]> {
  const client = db.client as { acquireConnection(): Promise<pg.Client>; releaseConnection(connection: pg.Client): Promise<void> };
  const connection = await client.acquireConnection();
  try {
    return (await connection.query<R>({ name: statement.name, text: statement.text, values })).rows;
  } finally {
    await client.releaseConnection(connection);
  }
}
