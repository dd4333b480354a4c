import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, it } from 'mocha';
import { reportingExitStatus } from '../../src/rendezvous/exit-status';
import { RendezvousOutputDecoder } from '../../src/rendezvous/output-decoder';
import { LentBuffer } from '../support/lent-buffer';

/** Runs the wrapped command in a real bash, as the dyno does, and returns its raw output. */
function runWrapped(command: string): Buffer {
  try {
    return execFileSync('bash', ['-c', reportingExitStatus(command)], { stdio: ['ignore', 'pipe', 'ignore'] });
  } catch (err) {
    return (err as { stdout: Buffer }).stdout;
  }
}

/** What bash itself says the command's status is. */
function exitStatusOf(command: string): number {
  return spawnSync('bash', ['-c', command], { stdio: 'ignore' }).status ?? -1;
}

/** Feeds `bytes` to a decoder in the given chunk sizes (cycled); the output bytes read as UTF-8. */
function decode(bytes: Buffer, chunkSizes: number[] = [bytes.length || 1]): { text: string; exitCode: number | null } {
  const { output, exitCode } = decodeBytes(bytes, chunkSizes);
  return { text: output.toString('utf8'), exitCode };
}

/** Chunks are lent, as the Rendezvous reader lends them: a view the decoder kept would turn to garbage. */
function decodeBytes(bytes: Buffer, chunkSizes: number[]): { output: Buffer; exitCode: number | null } {
  const decoder = new RendezvousOutputDecoder();
  const lent = new LentBuffer();
  const output: Buffer[] = [];
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const size = Math.max(1, chunkSizes[i % chunkSizes.length] ?? 1);
    output.push(lent.lend(bytes.subarray(at, at + size), (chunk) => decoder.push(chunk)));
    at += size;
  }
  const end = decoder.end();
  return { output: Buffer.concat([...output, end.bytes]), exitCode: end.exitCode };
}

describe('exit status over Rendezvous: wrapper and marker parser', () => {
  it('reports the exit status even when the command calls exit or uses set -e / set -u', () => {
    assert.deepEqual(decode(runWrapped('echo hi')), { text: 'hi\n', exitCode: 0 });
    assert.deepEqual(decode(runWrapped('echo before; exit 3')), { text: 'before\n', exitCode: 3 });
    assert.deepEqual(decode(runWrapped('set -e; echo a; false; echo never')), { text: 'a\n', exitCode: 1 });
    assert.equal(decode(runWrapped('set -u; echo "$NOT_SET"')).exitCode, exitStatusOf('set -u; echo "$NOT_SET"'));
    assert.deepEqual(decode(runWrapped("printf 'no newline'; exit 7")), { text: 'no newline', exitCode: 7 });
  });

  it('finds the marker however the stream is split, and removes it (property over chunk sizes)', () => {
    const bytes = runWrapped('printf "line 1\\nline 2 ✓\\n"; exit 42');
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 8 }), (sizes) => {
        assert.deepEqual(decode(bytes, sizes), { text: 'line 1\nline 2 ✓\n', exitCode: 42 });
      }),
    );
  });

  it('takes out only a marker line that ends the stream, however output full of look-alikes is split (property)', () => {
    // The rule over the whole stream: leading NULs dropped; a marker line at the very end is the status.
    const expected = (bytes: Buffer) => {
      let first = 0;
      while (bytes[first] === 0) first++;
      const text = bytes.subarray(first).toString('latin1');
      const last = /\xEF\xBF\xBF heroku-command-exit-status: (\d{1,3})\r?\n?$/.exec(text);
      return last ? { output: Buffer.from(text.slice(0, last.index), 'latin1'), exitCode: Number(last[1]) } : { output: Buffer.from(text, 'latin1'), exitCode: null };
    };
    const marker = (status: string, end: string) => Buffer.concat([Buffer.from([0xef, 0xbf, 0xbf]), Buffer.from(` heroku-command-exit-status: ${status}${end}`)]);
    const piece = fc.oneof(
      fc.constantFrom(marker('0', '\n'), marker('42', '\r\n'), marker('255', ''), marker('1234', '\n'), marker('', '\n'), marker('7', 'x'), Buffer.from([0xef]), Buffer.from([0xef, 0xbf]), Buffer.from('✓\n')),
      fc.uint8Array({ maxLength: 6 }).map((a) => Buffer.from(a)),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 10 }), fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 6 }), (pieces, sizes) => {
        const bytes = Buffer.concat(pieces);
        assert.deepEqual(decodeBytes(bytes, sizes), expected(bytes));
      }),
      { numRuns: 500 },
    );
  });

  it('counts only the last marker: a marker printed by the command itself stays in the output', () => {
    const forged = '\uFFFF heroku-command-exit-status: 0\n';
    const bytes = runWrapped(`printf '${forged.replace('\uFFFF', '\\357\\277\\277')}'; exit 5`);
    assert.deepEqual(decode(bytes, [3]), { text: forged, exitCode: 5 });
  });

  it('has no exit status when the stream ends without the marker (dyno killed)', () => {
    assert.deepEqual(decode(Buffer.from('partial output\n')), { text: 'partial output\n', exitCode: null });
    assert.deepEqual(decode(Buffer.from('cut \uFFFF heroku-command-exit-st')), { text: 'cut \uFFFF heroku-command-exit-st', exitCode: null });
  });

  it('strips NULs right after the handshake, and keeps every other byte as printed (NULs, UTF-8 split across chunks, invalid UTF-8)', () => {
    const printed = Buffer.concat([Buffer.from('é\0x ✓\n', 'utf8'), Buffer.from([0xff, 0xfe, 0xef, 0xbf, 0x0a])]);
    assert.deepEqual(decodeBytes(Buffer.concat([Buffer.alloc(5), printed]), [2, 1]), { output: printed, exitCode: null });
  });
});
