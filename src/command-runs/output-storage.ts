import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../log';

/** PostgreSQL connections of the storage thread: inserts of different runs proceed side by side. */
const STORAGE_CONNECTIONS = 4;

export interface StorageThreadData {
  databaseUrl: string;
  connections: number;
}

/** Messages to the storage thread (output-storage-thread.ts). */
export type StorageRequest =
  | { kind: 'next-seq'; id: number; runId: string }
  /** `bytes` lies in a SharedArrayBuffer: the thread reads it in place, then replies `released`. */
  | { kind: 'store'; id: number; runId: string; seq: number; bytes: Uint8Array; lines: number }
  | { kind: 'close' };

/** Replies of the storage thread. */
export type StorageReply =
  | { kind: 'released'; id: number }
  | { kind: 'done'; id: number; nextSeq?: number }
  | { kind: 'failed'; id: number; message: string; code?: string };

/** Storing output failed: PostgreSQL refused or lost an insert, or the storage thread stopped. */
export class OutputStorageError extends Error {
  override name = 'OutputStorageError';
  constructor(
    message: string,
    /** PostgreSQL's SQLSTATE, when it answered. */
    readonly code?: string,
  ) {
    super(message);
  }
}

interface Pending {
  released?: () => void;
  done: (reply: Extract<StorageReply, { kind: 'done' }>) => void;
  failed: (err: OutputStorageError) => void;
}

/** A batch of output to store: seq orders a run's chunks; bytes must lie in a SharedArrayBuffer. */
export interface OutputBatch {
  runId: string;
  seq: number;
  bytes: Uint8Array;
  lines: number;
}

/**
 * Stores command output in `command_run_output_chunks` from a thread of its own, with its own
 * PostgreSQL connections. The thread compresses each batch and inserts it after the run's earlier
 * ones, updating the run's `output_bytes`/`output_lines` in the same statement.
 *
 * Why a thread: storing output churns through buffers (compressed batches, PostgreSQL bind
 * messages, about 1.5 MB per 2 MB batch). In the worker's own heap, large once workflow bundles
 * and SDK state are loaded, that churn started several major GCs per 200 MB; in the thread's
 * small heap they cost next to nothing (bench: run-command, client CPU per 200 MB). Batches are
 * handed over in SharedArrayBuffers, so nothing is copied or allocated to pass them.
 *
 * The thread starts on first use. If it stops (a crash), what it had pending fails with an
 * OutputStorageError and the next request starts a new one.
 */
export class OutputStorage {
  private thread: Worker | undefined;
  private nextId = 0;
  private readonly pending = new Map<number, Pending>();
  private closing = false;

  constructor(
    private readonly databaseUrl: string,
    private readonly logger?: Logger,
  ) {}

  /** The seq after the run's last stored chunk (0 for a run without output). */
  async nextSeq(runId: string): Promise<number> {
    const reply = await new Promise<Extract<StorageReply, { kind: 'done' }>>((done, failed) => this.send({ kind: 'next-seq', runId }, { done, failed }));
    return reply.nextSeq ?? 0;
  }

  /**
   * Compresses and inserts one batch, after the run's batches sent before it. `released` settles
   * once the thread has read the bytes (their buffer may be filled again); `stored` once the row
   * is inserted. After a failed insert the run's later batches fail too: a gap would lose output.
   */
  store(batch: OutputBatch): { released: Promise<void>; stored: Promise<void> } {
    if (!(batch.bytes.buffer instanceof SharedArrayBuffer)) throw new TypeError('output batches must lie in a SharedArrayBuffer');
    let released!: () => void;
    const whenReleased = new Promise<void>((resolve) => (released = resolve));
    const stored = new Promise<void>((done, failed) => this.send({ kind: 'store', ...batch }, { released, done: () => done(), failed }));
    return { released: whenReleased, stored };
  }

  /** Waits for what is pending, then stops the thread and closes its connections. */
  async close(): Promise<void> {
    const thread = this.thread;
    if (!thread) return;
    this.closing = true;
    const exited = new Promise<void>((resolve) => thread.once('exit', () => resolve()));
    thread.postMessage({ kind: 'close' } satisfies StorageRequest);
    await exited;
  }

  private send(request: { kind: 'next-seq'; runId: string } | Omit<Extract<StorageRequest, { kind: 'store' }>, 'id'>, pending: Pending): void {
    const id = this.nextId++;
    this.pending.set(id, pending);
    this.running().postMessage({ ...request, id } satisfies StorageRequest);
  }

  private running(): Worker {
    if (this.thread) return this.thread;
    const workerData: StorageThreadData = { databaseUrl: this.databaseUrl, connections: STORAGE_CONNECTIONS };
    const thread = new Worker(path.join(__dirname, 'output-storage-thread.js'), { workerData });
    this.closing = false;
    // The thread never keeps the process alive: close() is how it ends in order.
    thread.unref();
    thread.on('message', (reply: StorageReply) => this.onReply(reply));
    let stopped: Error | undefined;
    thread.on('error', (err) => (stopped = err));
    thread.on('exit', (code) => {
      if (this.thread === thread) this.thread = undefined;
      const reason = stopped ? stopped.message : `exit code ${code}`;
      if (!this.closing) this.logger?.error({ reason, pendingRequests: this.pending.size }, 'the output storage thread stopped: its pending output failed (the stream activity retries), the next write starts a new thread');
      for (const [id, pending] of this.pending) {
        this.pending.delete(id);
        pending.released?.();
        pending.failed(new OutputStorageError(`the output storage thread stopped (${reason}) before this output was stored`));
      }
    });
    this.thread = thread;
    return thread;
  }

  private onReply(reply: StorageReply): void {
    const pending = this.pending.get(reply.id);
    if (!pending) return;
    // Every reply means the bytes were read ('failed' may come without 'released').
    pending.released?.();
    if (reply.kind === 'released') return;
    this.pending.delete(reply.id);
    if (reply.kind === 'done') pending.done(reply);
    else pending.failed(new OutputStorageError(`storing command output failed: ${reply.message}`, reply.code));
  }
}
