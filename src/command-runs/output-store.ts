import type { Db } from '../db/knex';

/** Bytes gathered into one row while an insert is in flight (and what a writer holds at most, twice). */
const MAX_BATCH_BYTES = 512 * 1024;
/** Trickling output is written at most this often, so live readers see it without a row per line. */
const FLUSH_INTERVAL_MS = 100;

/**
 * Appends a run's output to `command_run_output_chunks` as it arrives, keeping `output_bytes` and
 * `output_lines` of the run current. One insert is in flight while the next batch fills; a writer
 * whose batch is full waits for that insert, which is how a slow database slows the reader down
 * instead of growing memory.
 */
export class OutputWriter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private pendingLines = 0;
  private tail: Promise<void> = Promise.resolve();
  private failure: unknown;
  private timer: NodeJS.Timeout | undefined;
  private lastFlushAt = 0;
  /** Totals accepted so far (stored, or about to be). */
  bytes = 0;
  lines = 0;

  private constructor(
    private readonly db: Db,
    private readonly runId: string,
    private nextSeq: number,
  ) {}

  /** A writer continuing after the run's last stored chunk. */
  static async open(db: Db, runId: string): Promise<OutputWriter> {
    const row = await db('command_run_output_chunks').where({ run_id: runId }).max<{ max: number | null }>('seq as max').first();
    return new OutputWriter(db, runId, (row?.max ?? -1) + 1);
  }

  async write(text: string): Promise<void> {
    if (this.failure !== undefined) throw this.failure;
    if (text === '') return;
    const bytes = Buffer.from(text, 'utf8');
    const lines = countNewlines(text);
    this.pending.push(bytes);
    this.pendingBytes += bytes.length;
    this.pendingLines += lines;
    this.bytes += bytes.length;
    this.lines += lines;
    if (this.pendingBytes >= MAX_BATCH_BYTES) await this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), Math.max(0, this.lastFlushAt + FLUSH_INTERVAL_MS - Date.now()));
  }

  /** Stores everything accepted so far; rejects if any insert failed. */
  async close(): Promise<void> {
    await this.flush();
    await this.tail;
    if (this.failure !== undefined) throw this.failure;
  }

  /** Queues the pending batch after the insert in flight; resolves when that earlier insert is done. */
  private flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.lastFlushAt = Date.now();
    const previous = this.tail;
    if (this.pendingBytes > 0) {
      const batch = { data: Buffer.concat(this.pending), lines: this.pendingLines, seq: this.nextSeq++ };
      this.pending = [];
      this.pendingBytes = 0;
      this.pendingLines = 0;
      this.tail = previous.then(() => this.insert(batch)).catch((err: unknown) => void (this.failure ??= err));
    }
    return previous;
  }

  private async insert(batch: { data: Buffer; lines: number; seq: number }): Promise<void> {
    if (this.failure !== undefined) return;
    await this.db.raw(
      `with chunk as (insert into command_run_output_chunks (run_id, seq, data) values (?, ?, ?))
       update command_runs set output_bytes = output_bytes + ?, output_lines = output_lines + ?, updated_at = now() where id = ?`,
      [this.runId, batch.seq, batch.data, batch.data.length, batch.lines, this.runId],
    );
  }
}

function countNewlines(text: string): number {
  let count = 0;
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) count++;
  return count;
}

/** A run's stored output in order, a few rows at a time (never the whole output in memory). */
export async function* readOutput(db: Db, runId: string, options: { afterSeq?: number; rowsPerQuery?: number } = {}): AsyncGenerator<{ seq: number; data: Buffer }> {
  let after = options.afterSeq ?? -1;
  for (;;) {
    const rows = await db('command_run_output_chunks')
      .where({ run_id: runId })
      .andWhere('seq', '>', after)
      .orderBy('seq')
      .limit(options.rowsPerQuery ?? 8)
      .select<{ seq: number; data: Buffer }[]>('seq', 'data');
    if (rows.length === 0) return;
    for (const row of rows) {
      after = row.seq;
      yield row;
    }
  }
}
