// Output storage (src/command-runs/output-store.ts and output-storage.ts) against the test
// database: what a writer is given comes back byte for byte and in order, and a failed insert,
// a lost connection or a stopped storage thread is reported instead of leaving a silent gap.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import type { Worker } from 'node:worker_threads';
import { brotliCompressSync, constants } from 'node:zlib';
import { after, before, describe, it } from 'mocha';
import { OutputStorage, OutputStorageError } from '../../src/command-runs/output-storage';
import { OutputWriter, readOutput } from '../../src/command-runs/output-store';
import type { Db } from '../../src/db/knex';
import { harness } from '../support/harness';
import { waitFor } from './support';

const MB = 1024 * 1024;
/** Sessions of storage threads waiting for a lock. */
const LOCK_WAITERS = `from pg_stat_activity where application_name = 'dynopulse output storage' and wait_event_type = 'Lock'`;

/** The storage's thread (private: a test looks at it to tell a restart, or to stop it as a crash would). */
const threadOf = (storage: OutputStorage) => (storage as unknown as { thread: Worker | undefined }).thread;

describe('Output storage: a thread that compresses and inserts each run’s output in order', () => {
  let db: Db;
  let storage: OutputStorage;
  let integrationId: string;

  before(async () => {
    const h = await harness();
    db = h.db;
    storage = new OutputStorage(h.databaseUrl);
    integrationId = randomUUID();
    await db('integrations').insert({ id: integrationId, org_id: 'output-storage-test', status: 'connected' });
  });
  after(() => storage.close());

  async function newRun(): Promise<string> {
    const id = `storage-${randomUUID()}`;
    await db('command_runs').insert({ id, workflow_id: id, integration_id: integrationId, app_name: 'app', input: '{}', status: 'running' });
    return id;
  }

  async function stored(runId: string): Promise<Buffer> {
    const pieces: Buffer[] = [];
    for await (const chunk of readOutput(db, runId)) pieces.push(chunk.data);
    return Buffer.concat(pieces);
  }

  /** Writes `bytes` in pieces of random size through one buffer scribbled over after each write, honouring backpressure. */
  async function writeLent(writer: OutputWriter, bytes: Buffer, maxPiece: number): Promise<void> {
    const lent = Buffer.alloc(maxPiece);
    for (let at = 0; at < bytes.length; ) {
      const size = Math.min(bytes.length - at, 1 + Math.floor(Math.random() * maxPiece));
      bytes.copy(lent, 0, at, at + size);
      const more = writer.write(lent.subarray(0, size));
      lent.fill(0xaa);
      at += size;
      if (!more) await writer.drain();
    }
  }

  it('stores every byte in order, across full batches, partial ones and pauses, with the run’s totals', async () => {
    const runId = await newRun();
    const writer = await OutputWriter.open(storage, runId);
    const lines = Array.from({ length: 60_000 }, (_, i) => `line ${i} ${randomBytes(40).toString('hex')}\n`).join('');
    const text = Buffer.from(lines); // ~5.7 MB: full 2 MB batches and a partial one
    await writeLent(writer, text.subarray(0, 3 * MB), 64 * 1024);
    // A trickle: partial batches flushed by the timer while the stream waits.
    for (const piece of ['slow 1\n', 'slow 2\n']) {
      writer.write(Buffer.from(piece));
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
    await writeLent(writer, text.subarray(3 * MB), 20_000);
    await writer.close();

    const expected = Buffer.concat([text.subarray(0, 3 * MB), Buffer.from('slow 1\nslow 2\n'), text.subarray(3 * MB)]);
    assert.ok((await stored(runId)).equals(expected), 'stored output differs from what was written');
    const run = await db('command_runs').where({ id: runId }).first();
    assert.equal(Number(run.output_bytes), expected.length);
    assert.equal(Number(run.output_lines), 60_002);
    const rows = await db('command_run_output_chunks').where({ run_id: runId }).orderBy('seq').select('seq', 'bytes');
    assert.deepEqual(
      rows.map((r: { seq: number }) => r.seq),
      rows.map((_: unknown, i: number) => i),
    );
    assert.ok(rows.length >= 5, `${rows.length} chunks: expected full, partial and timer-flushed batches`);

    // A second writer (a retried activity) continues after the last chunk.
    const again = await OutputWriter.open(storage, runId);
    again.write(Buffer.from('after retry\n'));
    await again.close();
    assert.ok((await stored(runId)).equals(Buffer.concat([expected, Buffer.from('after retry\n')])));
  });

  it('reads output stored before chunks were zstd (brotli) in order with what is stored now, which takes a fraction of the space', async () => {
    const runId = await newRun();
    const earlier = Buffer.from(Array.from({ length: 2000 }, (_, i) => `earlier ${i}\n`).join(''));
    // How chunks were stored until zstd: brotli, quality 0, 256 KB window.
    const brotli = brotliCompressSync(earlier, { params: { [constants.BROTLI_PARAM_QUALITY]: 0, [constants.BROTLI_PARAM_LGWIN]: 18 } });
    await db('command_run_output_chunks').insert({ run_id: runId, seq: 0, data: brotli, bytes: earlier.length });
    const writer = await OutputWriter.open(storage, runId);
    const later = Buffer.from(Array.from({ length: 40_000 }, (_, i) => `2026-11-27T10:00:00Z app[web.1]: GET /jobs/${i} 200 ${i % 97} ms\n`).join(''));
    await writeLent(writer, later, 64 * 1024);
    await writer.close();
    assert.ok((await stored(runId)).equals(Buffer.concat([earlier, later])));
    const size = await db('command_run_output_chunks').where({ run_id: runId }).andWhere('seq', '>', 0).sum<{ sum: string }>({ sum: db.raw('octet_length(data)') }).first();
    assert.ok(Number(size?.sum) < later.length / 4, `${size?.sum} bytes stored for ${later.length} bytes of log lines`);
  });

  it('a failed insert fails the writer with PostgreSQL’s reason, and none of the run’s later batches is stored', async () => {
    const runId = await newRun();
    const writer = await OutputWriter.open(storage, runId);
    // Someone else's row at seq 1: the writer's second batch collides with it.
    await db('command_run_output_chunks').insert({ run_id: runId, seq: 1, data: Buffer.alloc(0), bytes: 0 });
    const batch = Buffer.alloc(2 * MB, 'x');
    for (let i = 0; i < 3; i++) writer.write(batch); // seq 0, 1 and 2 go out together
    await assert.rejects(writer.close(), (err: unknown) => err instanceof OutputStorageError && /duplicate key/.test(err.message) && err.code === '23505');
    assert.throws(() => writer.write(Buffer.from('more')), OutputStorageError);
    const seqs = (await db('command_run_output_chunks').where({ run_id: runId }).orderBy('seq').select('seq', 'bytes')).map((r: { seq: number; bytes: number }) => [r.seq, r.bytes]);
    assert.deepEqual(seqs, [
      [0, 2 * MB],
      [1, 0],
    ]);
    const run = await db('command_runs').where({ id: runId }).first();
    assert.equal(Number(run.output_bytes), 2 * MB);
  });

  it('a batch that reaches the thread after the run’s failed insert has settled is refused too, until a new writer opens', async () => {
    const runId = await newRun();
    const other = Buffer.from('one, stored by someone else\n');
    await db('command_run_output_chunks').insert({ run_id: runId, seq: 1, data: brotliCompressSync(other), bytes: other.length });
    const batch = (text: string) => {
      const bytes = Buffer.from(new SharedArrayBuffer(text.length));
      bytes.write(text);
      return bytes;
    };
    const first = storage.store({ runId, seq: 0, bytes: batch('zero\n'), lines: 1 });
    const colliding = storage.store({ runId, seq: 1, bytes: batch('one\n'), lines: 1 });
    await first.stored;
    await assert.rejects(colliding.stored, /duplicate key/);
    // Sent by the same writer before it heard of the failure: storing it would leave a gap at seq 1.
    const late = storage.store({ runId, seq: 2, bytes: batch('two\n'), lines: 1 });
    await assert.rejects(late.stored, /duplicate key/);
    assert.deepEqual(
      (await db('command_run_output_chunks').where({ run_id: runId }).orderBy('seq').select('seq')).map((r: { seq: number }) => r.seq),
      [0, 1],
    );
    // A retried activity opens a new writer: it continues after the stored chunks.
    const retry = await OutputWriter.open(storage, runId);
    retry.write(Buffer.from('retried\n'));
    await retry.close();
    assert.equal((await stored(runId)).toString(), 'zero\none, stored by someone else\nretried\n');
  });

  it('PostgreSQL ending the thread’s sessions does not stop the thread: it reconnects and stores again', async () => {
    const runId = await newRun();
    const writer = await OutputWriter.open(storage, runId);
    writer.write(Buffer.from('before\n'));
    await writer.close();
    const thread = threadOf(storage);
    // As on a PostgreSQL restart or failover: the thread's idle connections are closed under it.
    const ended = await db.raw(`select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and application_name = 'dynopulse output storage'`);
    assert.ok(ended.rowCount > 0);
    // Until its pool has noticed, a request may fail, but only with a clear error.
    const deadline = Date.now() + 10_000;
    let next: OutputWriter | undefined;
    while (!next) {
      next = await OutputWriter.open(storage, runId).catch((err: unknown) => {
        assert.ok(err instanceof OutputStorageError && Date.now() < deadline, String(err));
        return undefined;
      });
    }
    next.write(Buffer.from('after\n'));
    await next.close();
    assert.equal((await stored(runId)).toString(), 'before\nafter\n');
    assert.equal(threadOf(storage), thread, 'the same thread');
  });

  it('a storage thread that stops fails what it had pending with a clear error, and the next request starts a new one', async () => {
    const crashing = new OutputStorage((await harness()).databaseUrl);
    try {
      const runId = await newRun();
      const writer = await OutputWriter.open(crashing, runId);
      // The run's row locked by another session: the thread's first insert waits, so the crash
      // below finds work pending however fast the thread is.
      const lock = await db.transaction();
      try {
        await lock('command_runs').where({ id: runId }).forUpdate().select('id');
        for (let i = 0; i < 3; i++) writer.write(Buffer.alloc(2 * MB, 'y'));
        await waitFor('an insert of the storage thread to wait on the lock', () => db.raw(`select count(*)::int as n ${LOCK_WAITERS}`), (r: { rows: { n: number }[] }) => (r.rows[0]?.n ?? 0) > 0, 10_000);
        // What a crash of the thread looks like from the outside: it exits with work pending.
        await threadOf(crashing)?.terminate();
        // Its session would go on to commit once the lock is gone (PostgreSQL notices a vanished client only when it answers).
        await db.raw(`select pg_terminate_backend(pid) ${LOCK_WAITERS}`);
      } finally {
        await lock.commit();
      }
      await assert.rejects(writer.close(), (err: unknown) => err instanceof OutputStorageError && /output storage thread stopped/.test(err.message));

      const retry = await OutputWriter.open(crashing, runId);
      retry.write(Buffer.from('stored by a new thread\n'));
      await retry.close();
      assert.equal((await stored(runId)).toString(), 'stored by a new thread\n');
    } finally {
      await crashing.close();
    }
  });
});
