import type { Db } from '../db/knex';

/** Why runs cannot use this integration (unknown, or not connected), or null when they can. */
export async function integrationProblem(db: Db, integrationId: string): Promise<string | null> {
  const row = await db('integrations').where({ id: integrationId }).first<{ status: string } | undefined>('status');
  if (!row) return `unknown integration ${integrationId}`;
  if (row.status !== 'connected') return `integration ${integrationId} is ${row.status}, not connected`;
  return null;
}
