// The output storage thread (started by output-storage.ts): compresses batches of command output
// and inserts them, each run's in order, on connections of its own.
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

/** Per run, its insert queued last: a run's chunks are inserted one after another, in seq order. */
const lastInsert = new Map<string, Promise<void>>();

const reply = (message: StorageReply) => port.postMessage(message);
const failure = (id: number, err: unknown): StorageReply =>
  err instanceof Error ? { kind: 'failed', id, message: err.message, code: (err as Error & { code?: string }).code } : { kind: 'failed', id, message: String(err) };

port.on('message', (request: StorageRequest) => {
  switch (request.kind) {
    case 'next-seq':
      void pool.query<{ max: number | null }>('select max(seq) as max from command_run_output_chunks where run_id = $1', [request.runId]).then(
        ({ rows }) => reply({ kind: 'done', id: request.id, nextSeq: (rows[0]?.max ?? -1) + 1 }),
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
  void inserted
    .then(
      () => reply({ kind: 'done', id }),
      (err: unknown) => reply(failure(id, err)),
    )
    .finally(() => {
      if (lastInsert.get(runId) === inserted) lastInsert.delete(runId);
    });
}
