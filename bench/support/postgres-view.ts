import { performance } from 'node:perf_hooks';
import pg from 'pg';

/** One statement as PostgreSQL ran it (EXPLAIN ANALYZE), with the commit that made it durable. */
export interface StatementCost {
  planningMs: number;
  executionMs: number;
  /** COMMIT as the client sees it: one round trip and the WAL flush (fdatasync) of the transaction. */
  commitMs: number;
  walRecords: number;
  walBytes: number;
  sharedBlocksHit: number;
  sharedBlocksRead: number;
}

interface ExplainNode {
  'Planning Time': number;
  'Execution Time': number;
  Plan: { 'WAL Records'?: number; 'WAL Bytes'?: number; 'Shared Hit Blocks'?: number; 'Shared Read Blocks'?: number };
}

/**
 * PostgreSQL's view of a hot statement, for the ingest benchmark (pg_stat_statements is not
 * loaded on every server; EXPLAIN ANALYZE is): runs the statement `times` times, each in its own
 * transaction under EXPLAIN (ANALYZE, BUFFERS, WAL), and commits it, timing the COMMIT. Returns
 * the medians. `next()` gives each run's statement and parameters (fresh keys, so each run
 * inserts, as the benchmark's deliveries do). What it inserts stays: run it on a throwaway database.
 */
export async function explainStatement(databaseUrl: string, times: number, next: () => { text: string; values: unknown[] }): Promise<StatementCost> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const runs: StatementCost[] = [];
    for (let i = 0; i < times; i++) {
      const { text, values } = next();
      await client.query('begin');
      const explained = await client.query<{ 'QUERY PLAN': ExplainNode[] }>({ text: `explain (analyze, buffers, wal, format json) ${text}`, values });
      const started = performance.now();
      await client.query('commit');
      const commitMs = performance.now() - started;
      const node = explained.rows[0]?.['QUERY PLAN'][0];
      if (!node) throw new Error('EXPLAIN returned no plan');
      runs.push({
        planningMs: node['Planning Time'],
        executionMs: node['Execution Time'],
        commitMs,
        walRecords: node.Plan['WAL Records'] ?? 0,
        walBytes: node.Plan['WAL Bytes'] ?? 0,
        sharedBlocksHit: node.Plan['Shared Hit Blocks'] ?? 0,
        sharedBlocksRead: node.Plan['Shared Read Blocks'] ?? 0,
      });
    }
    const med = (pick: (c: StatementCost) => number) => median(runs.map(pick));
    return {
      planningMs: med((c) => c.planningMs),
      executionMs: med((c) => c.executionMs),
      commitMs: med((c) => c.commitMs),
      walRecords: med((c) => c.walRecords),
      walBytes: med((c) => c.walBytes),
      sharedBlocksHit: med((c) => c.sharedBlocksHit),
      sharedBlocksRead: med((c) => c.sharedBlocksRead),
    };
  } finally {
    await client.end();
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? NaN) : ((s[mid - 1] ?? NaN) + (s[mid] ?? NaN)) / 2;
}
