// The output storage thread (started by output-storage.ts): compresses batches of command output
// and inserts them, each run's in order, on connections of its own.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parentPort, workerData } from 'node:worker_threads';
import pg from 'pg';
import { compressOutput } from './output-codec';
import type { StorageReply, StorageRequest, StorageThreadData } from './output-storage';

const INSERT_CHUNK = `with chunk as (insert into command_run_output_chunks (run_id, seq, data, bytes) values ($1, $2, $3, $4))
  update command_runs set output_bytes = output_bytes + $5, output_lines = output_lines + $6, updated_at = now() where id = $1`;

const port = parentPort;
if (!port) throw new Error('output-storage-thread runs as a worker thread of OutputStorage');
const { databaseUrl, connections } = workerData as StorageThreadData;
// Named, so its sessions can be told apart in pg_stat_activity.
const pool = new pg.Pool({ connectionString: databaseUrl, max: connections, application_name: 'dynopulse output storage' });
// An idle connection that breaks (PostgreSQL restarted) must not end the thread: the next query reconnects.
pool.on('error', () => undefined);

/**
 * Each batch leaves about 1 MB of buffers behind (its compressed chunk, the bind message
 * node-postgres copies it into), held only by small young objects. This thread allocates little
 * else, so V8 would collect them only once 64 MB of them had piled up (its external-memory
 * trigger): a young-generation GC every few batches, well under a millisecond on this thread's
 * small heap, keeps them to a few MB (bench run-command: first stream's RSS growth 54-65 -> 35-42 MB).
 */
const BATCHES_PER_GC = 16;
const collectYoungGarbage = youngGenerationGc();
let batchesSinceGc = 0;

/** V8's `gc` function, taken from a context made while --expose-gc was on; the flag is set back at once (it is process-wide). */
function youngGenerationGc(): () => void {
  setFlagsFromString('--expose-gc');
  try {
    const gc = runInNewContext('gc') as (options: { type: 'minor' }) => void;
    return () => gc({ type: 'minor' });
  } finally {
    setFlagsFromString('--no-expose-gc');
  }
}

/**
 * Per run, its insert queued last: a run's chunks are inserted one after another, in seq order.
 * A failed insert stays here, so the run's batches that arrive after it fail too (a gap would lose
 * output), until a new writer of the run asks for its next seq (a run never retried keeps its
 * settled entry: a few hundred bytes until the thread ends).
 */
const lastInsert = new Map<string, Promise<void>>();

const reply = (message: StorageReply) => port.postMessage(message);
const failure = (id: number, err: unknown): StorageReply =>
  err instanceof Error ? { kind: 'failed', id, message: err.message, code: (err as Error & { code?: string }).code } : { kind: 'failed', id, message: String(err) };

port.on('message', (request: StorageRequest) => {
  switch (request.kind) {
    case 'next-seq':
      void nextSeq(request.runId).then(
        (next) => reply({ kind: 'done', id: request.id, nextSeq: next }),
        (err: unknown) => reply(failure(request.id, err)),
      );
      return;
    case 'store':
      store(request);
      return;
    case 'close':
      void Promise.allSettled(lastInsert.values())
        .then(() => pool.end())
        .finally(() => port.close());
  }
});

/** Where a new writer of the run starts: after the run's queued inserts, and clear of an earlier writer's failure. */
async function nextSeq(runId: string): Promise<number> {
  const queued = lastInsert.get(runId);
  if (queued) {
    await queued.catch(() => undefined);
    if (lastInsert.get(runId) === queued) lastInsert.delete(runId);
  }
  const { rows } = await pool.query<{ max: number | null }>('select max(seq) as max from command_run_output_chunks where run_id = $1', [runId]);
  return (rows[0]?.max ?? -1) + 1;
}

function store({ id, runId, seq, bytes, lines }: Extract<StorageRequest, { kind: 'store' }>): void {
  let compressed: Buffer | Error;
  try {
    compressed = compressOutput(bytes);
  } catch (err) {
    compressed = err instanceof Error ? err : new Error(String(err));
  }
  reply({ kind: 'released', id });
  // After a failed batch the run's later ones fail with it: storing them would leave a gap.
  const inserted = (lastInsert.get(runId) ?? Promise.resolve()).then(async () => {
    if (compressed instanceof Error) throw compressed;
    await pool.query(INSERT_CHUNK, [runId, seq, compressed, bytes.length, bytes.length, lines]);
  });
  lastInsert.set(runId, inserted);
  void inserted.then(
    () => {
      if (lastInsert.get(runId) === inserted) lastInsert.delete(runId);
      reply({ kind: 'done', id });
      if (++batchesSinceGc >= BATCHES_PER_GC) {
        batchesSinceGc = 0;
        collectYoungGarbage();
      }
    },
    (err: unknown) => reply(failure(id, err)),
  );
}
