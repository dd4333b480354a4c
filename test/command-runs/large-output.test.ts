import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'mocha';
import type { ConnectedIntegration } from '../support/fixtures';
import type { Stack, WorkerProcess } from '../support/stack';
import { FINAL, getRun, postRun, startRunStack, waitFor } from './support';

const LINE = 'the quick brown fox jumps over the lazy dog 0123456789\n';
const TOTAL = 100 * 1024 * 1024;

/** Resident set size of a process, from /proc (bytes). */
function rssOf(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb) * 1024;
}

/** sha256 of `LINE` repeated, cut at TOTAL bytes: what `yes LINE | head -c TOTAL` prints. */
function expectedDigest(): string {
  const hash = createHash('sha256');
  const block = Buffer.from(LINE.repeat(Math.floor((1024 * 1024) / LINE.length)));
  let left = TOTAL;
  while (left > 0) {
    const piece = block.subarray(0, Math.min(left, block.length));
    hash.update(piece);
    left -= piece.length;
  }
  return hash.digest('hex');
}

describe('RunCommandOnHeroku: 100 MB of output', () => {
  let stack: Stack;
  let integration: ConnectedIntegration;
  let worker: WorkerProcess;
  before(async () => {
    ({ stack, integration } = await startRunStack({ apps: [{ name: 'app-big' }], stack: { inProcessWorker: false, heroku: { rendezvous: { keepOutput: false } } } }));
    worker = await stack.spawnWorker();
  });
  after(async () => {
    await worker?.stop();
    await stack?.close();
  });

  it('stores, serves and posts every byte while the worker’s memory stays flat', async function () {
    this.timeout(300_000);
    const pid = worker.child.pid as number;
    // A small run first: code loading, JIT and connection pools are not what this test is about.
    const warmUp = randomUUID();
    await postRun(stack, { id: warmUp, integrationId: integration.integrationId, appName: 'app-big', command: `yes '${LINE.trimEnd()}' | head -c ${4 * 1024 * 1024}`, slackChannels: ['#ops'] });
    await waitFor('the warm-up run to end', () => getRun(stack, warmUp), (r) => FINAL.includes(r.status));
    const baseline = rssOf(pid);
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, rssOf(pid))), 100);
    const id = randomUUID();
    try {
      const posted = await postRun(stack, { id, integrationId: integration.integrationId, appName: 'app-big', command: `yes '${LINE.trimEnd()}' | head -c ${TOTAL}`, slackChannels: ['#ops'] });
      assert.equal(posted.status, 202);
      const done = await waitFor('the run to end', () => getRun(stack, id), (r) => FINAL.includes(r.status), 240_000);
      assert.equal(done.status, 'succeeded', JSON.stringify(done));
      assert.equal(done.outputBytes, TOTAL);
    } finally {
      clearInterval(sampler);
    }
    // 52-62 MB measured (stream and storage ~15 MB, then reading it back for the Slack upload, freed by the
    // next GC); the bound leaves room for GC timing.
    // `npm run bench` measures the streaming part against its 64 MB goal.
    assert.ok(peak - baseline < 96 * 1024 * 1024, `worker RSS grew by ${Math.round((peak - baseline) / 1048576)} MB`);

    const digest = expectedDigest();
    const res = await stack.api(`/api/command-runs/${id}/output?follow=false`);
    const served = createHash('sha256');
    let servedBytes = 0;
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      served.update(chunk);
      servedBytes += chunk.length;
    }
    assert.equal(servedBytes, TOTAL);
    assert.equal(served.digest('hex'), digest);
    const file = stack.slack.files.at(-1);
    assert.equal(file?.bytes.length, TOTAL);
    assert.equal(createHash('sha256').update(file?.bytes ?? Buffer.alloc(0)).digest('hex'), digest);
  });
});
