import { decompressOutput } from '../command-runs/output-codec';
import type { Db } from '../db/knex';

/** The end of a run's stored (redacted) output: its last two chunks at most, never the whole output. */
export async function readStoredTail(db: Db, runId: string): Promise<string> {
  const rows = await db('command_run_output_chunks').where({ run_id: runId }).orderBy('seq', 'desc').limit(2).select<{ data: Buffer; bytes: number }[]>('data', 'bytes');
  const parts = await Promise.all(rows.reverse().map((r) => decompressOutput(r.data, r.bytes)));
  return Buffer.concat(parts).toString('utf8');
}
