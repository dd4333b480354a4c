import { promisify } from 'node:util';
import { brotliCompress, brotliDecompress, constants } from 'node:zlib';
import type { Db } from '../db/knex';

const compress = promisify(brotliCompress);
const decompress = promisify(brotliDecompress);
/**
 * Chunks are stored brotli-compressed at quality 0 (fast, about 4x on log text, in libuv's
 * thread pool): PostgreSQL's bytea inserts, not the network, limit how fast output can be
 * stored, and they get a quarter of the bytes (bench: 200 MB of log lines stored as 47 MB).
 * Quality 1 stores 27 % less but costs more CPU than it saves. A 256 KB window keeps the
 * compressor's memory small. The output comes in 256 KB pieces joined at the end, so a batch
 * holds about its compressed size until it is inserted, not a whole 1 MB piece.
 */
const BROTLI = { chunkSize: 256 * 1024, params: { [constants.BROTLI_PARAM_QUALITY]: 0, [constants.BROTLI_PARAM_LGWIN]: 18 } };

/** Bytes gathered into one row (bigger rows: fewer commits, which are what costs most). */
const MAX_BATCH_BYTES = 2 * 1024 * 1024;
/** Batches being compressed or inserted before a writer waits: what it holds at most, with the one filling. */
const MAX_BATCHES_IN_FLIGHT = 4;
/** Trickling output is written at most this often, so live readers see it without a row per line. */
const FLUSH_INTERVAL_MS = 100;

/**
 * Appends a run's output to `command_run_output_chunks` as it arrives, keeping `output_bytes` and
 * `output_lines` of the run current. Output bytes are copied into the batch being filled; full
 * batches are compressed and inserted (in order) while the next one fills. With
 * MAX_BATCHES_IN_FLIGHT pending a writer waits, which is how a slow database slows the reader
 * down instead of growing memory.
 */
export class OutputWriter {
  /** The batch being filled: grows (doubling) up to MAX_BATCH_BYTES, so a trickling run holds little. */
  private batch: Buffer = Buffer.allocUnsafe(64 * 1024);
  private pendingBytes = 0;
  private pendingLines = 0;
  /** Full-size batches whose compression is done, filled again: fresh 2 MB buffers cost page faults and GC. */
  private readonly spareBatches: Buffer[] = [];
  private tail: Promise<void> = Promise.resolve();
  private readonly inFlight: Promise<void>[] = [];
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

  /**
   * Takes output bytes (copied: the caller may reuse `bytes`). Returns false once
   * MAX_BATCHES_IN_FLIGHT batches are being stored: the caller then awaits `drain()` before
   * writing more. Synchronous, so a chunk costs no promise.
   */
  write(bytes: Buffer): boolean {
    if (this.failure !== undefined) throw this.failure;
    if (bytes.length > 0) {
      const lines = countNewlines(bytes);
      this.bytes += bytes.length;
      this.lines += lines;
      this.pendingLines += lines;
      for (let from = 0; from < bytes.length; ) {
        if (this.pendingBytes === this.batch.length) {
          if (this.batch.length < MAX_BATCH_BYTES) this.grow();
          else this.flush();
        }
        const copied = bytes.copy(this.batch, this.pendingBytes, from);
        this.pendingBytes += copied;
        from += copied;
      }
      this.timer ??= setTimeout(() => this.flush(), Math.max(0, this.lastFlushAt + FLUSH_INTERVAL_MS - Date.now()));
    }
    return this.inFlight.length <= MAX_BATCHES_IN_FLIGHT;
  }

  /** Resolves once fewer batches are being stored than MAX_BATCHES_IN_FLIGHT; rejects if an insert failed. */
  async drain(): Promise<void> {
    while (this.inFlight.length > MAX_BATCHES_IN_FLIGHT) await this.inFlight.shift();
    if (this.failure !== undefined) throw this.failure;
  }

  private grow(): void {
    const bigger = Buffer.allocUnsafe(Math.min(this.batch.length * 2, MAX_BATCH_BYTES));
    this.batch.copy(bigger, 0, 0, this.pendingBytes);
    this.batch = bigger;
  }

  /** Stores everything accepted so far; rejects if any insert failed. */
  async close(): Promise<void> {
    this.flush();
    await this.tail;
    if (this.failure !== undefined) throw this.failure;
  }

  /** Compresses the pending batch and queues its insert after the ones in flight. */
  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.lastFlushAt = Date.now();
    const previous = this.tail;
    if (this.pendingBytes > 0) {
      // A full batch is handed over whole (a new one is started); a partial one is copied out.
      const raw = this.pendingBytes === this.batch.length ? this.batch : Buffer.from(this.batch.subarray(0, this.pendingBytes));
      if (raw === this.batch) this.batch = (raw.length === MAX_BATCH_BYTES ? this.spareBatches.pop() : undefined) ?? Buffer.allocUnsafe(raw.length);
      const batch = { bytes: raw.length, lines: this.pendingLines, seq: this.nextSeq++ };
      this.pendingBytes = 0;
      this.pendingLines = 0;
      // Compress while the previous insert runs; insert in order.
      const packed = compress(raw, BROTLI);
      if (raw.length === MAX_BATCH_BYTES) void packed.then(() => this.spareBatches.push(raw), () => undefined);
      this.tail = Promise.all([packed, previous])
        .then(([data]) => this.insert({ ...batch, data }))
        .catch((err: unknown) => void (this.failure ??= err));
      this.inFlight.push(this.tail);
      // Inserts run in order, so each tail implies the ones before: the oldest can be forgotten.
      if (this.inFlight.length > MAX_BATCHES_IN_FLIGHT + 1) void this.inFlight.shift();
    }
  }

  private async insert(batch: { data: Buffer; bytes: number; lines: number; seq: number }): Promise<void> {
    if (this.failure !== undefined) return;
    await this.db.raw(
      `with chunk as (insert into command_run_output_chunks (run_id, seq, data, bytes) values (?, ?, ?, ?))
       update command_runs set output_bytes = output_bytes + ?, output_lines = output_lines + ?, updated_at = now() where id = ?`,
      [this.runId, batch.seq, batch.data, batch.bytes, batch.bytes, batch.lines, this.runId],
    );
  }
}

function countNewlines(bytes: Buffer): number {
  let count = 0;
  for (let at = bytes.indexOf(0x0a); at !== -1; at = bytes.indexOf(0x0a, at + 1)) count++;
  return count;
}

/** A run's stored output in order, a few rows at a time (never the whole output in memory), decompressed. */
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
      yield { seq: row.seq, data: await decompress(row.data) };
    }
  }
}
