import type { Db } from '../db/knex';
import { decompressOutput } from './output-codec';
import type { OutputStorage } from './output-storage';

/** Bytes gathered into one row (bigger rows: fewer commits, which are what costs most). */
const MAX_BATCH_BYTES = 2 * 1024 * 1024;
/** Batches being compressed or inserted before a writer waits: what it holds at most, with the one filling. */
const MAX_BATCHES_IN_FLIGHT = 4;
/** Trickling output is written at most this often, so live readers see it without a row per line. */
const FLUSH_INTERVAL_MS = 100;

/**
 * Appends a run's output to `command_run_output_chunks` as it arrives, keeping `output_bytes` and
 * `output_lines` of the run current. Output bytes are copied into the batch being filled; full
 * batches go to the storage thread (output-storage.ts), which compresses and inserts them in order
 * while the next one fills. With MAX_BATCHES_IN_FLIGHT pending a writer waits, which is how a slow
 * database slows the reader down instead of growing memory. Batches lie in SharedArrayBuffers, so
 * the thread reads them where they are.
 */
export class OutputWriter {
  /** The batch being filled: grows (doubling) up to MAX_BATCH_BYTES, so a trickling run holds little. */
  private batch: Buffer = sharedBuffer(64 * 1024);
  private pendingBytes = 0;
  private pendingLines = 0;
  /** Full-size batches the storage thread has read, filled again: fresh 2 MB buffers cost page faults and GC. */
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
    private readonly storage: OutputStorage,
    private readonly runId: string,
    private nextSeq: number,
  ) {}

  /** A writer continuing after the run's last stored chunk. */
  static async open(storage: OutputStorage, runId: string): Promise<OutputWriter> {
    return new OutputWriter(storage, runId, await storage.nextSeq(runId));
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
    const bigger = sharedBuffer(Math.min(this.batch.length * 2, MAX_BATCH_BYTES));
    this.batch.copy(bigger, 0, 0, this.pendingBytes);
    this.batch = bigger;
  }

  /** Stores everything accepted so far; rejects if any insert failed. */
  async close(): Promise<void> {
    this.flush();
    await this.tail;
    if (this.failure !== undefined) throw this.failure;
  }

  /** Hands the pending batch to the storage thread, to be stored after the ones in flight. */
  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.lastFlushAt = Date.now();
    // After a failure nothing more of this writer may be stored: it would follow a gap.
    if (this.pendingBytes > 0 && this.failure === undefined) {
      // A full batch is handed over whole (a new one is started); a partial one is copied out.
      const full = this.pendingBytes === this.batch.length;
      const raw = full ? this.batch : sharedCopy(this.batch.subarray(0, this.pendingBytes));
      if (full) this.batch = (raw.length === MAX_BATCH_BYTES ? this.spareBatches.pop() : undefined) ?? sharedBuffer(raw.length);
      const { released, stored } = this.storage.store({ runId: this.runId, seq: this.nextSeq++, bytes: raw, lines: this.pendingLines });
      this.pendingBytes = 0;
      this.pendingLines = 0;
      if (raw.length === MAX_BATCH_BYTES) void released.then(() => this.spareBatches.push(raw));
      // The thread stores a run's batches in order and fails the later ones after a failure, so
      // each batch's `stored` implies the ones before: the last is the writer's tail.
      this.tail = stored.catch((err: unknown) => void (this.failure ??= err));
      this.inFlight.push(this.tail);
      if (this.inFlight.length > MAX_BATCHES_IN_FLIGHT + 1) void this.inFlight.shift();
    }
  }
}

/** A buffer the storage thread can read in place. */
function sharedBuffer(size: number): Buffer {
  return Buffer.from(new SharedArrayBuffer(size));
}

function sharedCopy(bytes: Buffer): Buffer {
  const copy = sharedBuffer(bytes.length);
  bytes.copy(copy);
  return copy;
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
      .select<{ seq: number; data: Buffer; bytes: number }[]>('seq', 'data', 'bytes');
    if (rows.length === 0) return;
    for (const row of rows) {
      after = row.seq;
      yield { seq: row.seq, data: await decompressOutput(row.data, row.bytes) };
    }
  }
}
