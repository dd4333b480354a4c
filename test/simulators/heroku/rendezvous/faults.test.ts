// Fault injection: the same bytes, delivered the awkward ways real networks and the real service do.
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'mocha';
import { HANDSHAKE_LINE, RendezvousServer, type RendezvousFaults } from './index';
import { RendezvousTestClient, dynoSpec } from './rendezvous-test-client';

const MARKER_LINE = '\uFFFF heroku-command-exit-status: 3';

describe('Rendezvous simulator: faults', () => {
  let server: RendezvousServer;

  before(async () => {
    server = await RendezvousServer.start();
  });
  after(async () => {
    await server.close();
  });

  function sessionWith(faults: RendezvousFaults, command: string, forceNoTty = true): ReturnType<RendezvousServer['createSession']> {
    server.faults = faults;
    try {
      return server.createSession(dynoSpec({ command, forceNoTty }));
    } finally {
      server.faults = {};
    }
  }

  describe('chunkSize', () => {
    it('delivers the same bytes in writes of at most chunkSize bytes, splitting the exit-status marker', async () => {
      const session = sessionWith({ chunkSize: 1 }, `echo hello; (exit 3) ; echo "${MARKER_LINE.replace(': 3', ': $?')}"`);
      const client = await RendezvousTestClient.connect(session.attachUrl as string);
      const { bytes, chunks } = await client.closed;
      const output = `hello\n${MARKER_LINE}\n`;
      assert.equal(bytes.toString(), HANDSHAKE_LINE + output);
      assert.equal(chunks[0]?.toString(), HANDSHAKE_LINE, 'the handshake line arrives whole');
      const outputChunks = chunks.slice(1);
      assert.equal(outputChunks.length, Buffer.byteLength(output), 'one TLS record, one data event per byte');
      assert.ok(outputChunks.every((chunk) => chunk.length === 1));
      assert.ok(
        !outputChunks.some((chunk) => chunk.toString().includes('heroku-command-exit-status')),
        'a per-chunk marker matcher (like the CLI) never sees the marker',
      );
    });

    it('splits after TTY translation, so "\\r" and "\\n" can arrive apart', async () => {
      const session = sessionWith({ chunkSize: 3 }, "printf 'ab\\ncd\\n'", false);
      const client = await RendezvousTestClient.connect(session.attachUrl as string);
      const { bytes, chunks } = await client.closed;
      assert.equal(bytes.toString(), `${HANDSHAKE_LINE}ab\r\ncd\r\n`);
      const output = chunks.slice(1).map((chunk) => chunk.toString());
      assert.ok(output.every((chunk) => chunk.length <= 3));
      assert.ok(output.includes('ab\r'), `CR and LF of the first line arrive apart: ${JSON.stringify(output)}`);
    });
  });

  describe('leadingNuls', () => {
    it('writes NUL bytes right after the handshake line, before any output (heroku.md §7 pitfalls)', async () => {
      const session = sessionWith({ leadingNuls: 3 }, 'echo hi');
      const client = await RendezvousTestClient.connect(session.attachUrl as string);
      const { bytes, chunks } = await client.closed;
      assert.equal(bytes.toString(), `${HANDSHAKE_LINE}\0\0\0hi\n`);
      assert.equal(chunks[0]?.toString(), HANDSHAKE_LINE, 'a client discarding the first chunk keeps the NULs');
      assert.equal(session.output().toString(), 'hi\n', 'the NULs are not process output');
    });
  });

  describe('handshakeDelayMs', () => {
    it('holds the handshake line back, and output written meanwhile follows it, not precedes it', async () => {
      const session = sessionWith({ handshakeDelayMs: 300 }, 'echo early');
      const connectedAt = Date.now();
      const client = await RendezvousTestClient.connect(session.attachUrl as string);
      await client.waitFor(HANDSHAKE_LINE);
      assert.ok(Date.now() - connectedAt >= 250, 'the handshake was not sent before the delay');
      const { bytes } = await client.closed;
      assert.equal(bytes.toString(), `${HANDSHAKE_LINE}early\n`);
    });

    it('ends a dyno whose client leaves during the handshake delay', async () => {
      const session = sessionWith({ handshakeDelayMs: 60_000 }, 'echo ready; sleep 600');
      const client = await RendezvousTestClient.connect(session.attachUrl as string);
      await session.waitForOutput('ready\n');
      client.socket.destroy();
      await session.ended;
      assert.equal(session.endReason, 'disconnected');
      assert.equal((await client.closed).byteCount, 0);
    });
  });

  describe('dropAfterBytes', () => {
    it('destroys the socket after N output bytes while the process keeps running to its own end', async () => {
      const session = sessionWith(
        { dropAfterBytes: 5 },
        'echo 0123456789; while [ ! -e go ]; do sleep 0.02; done; echo finished > finished.txt; echo after',
      );
      const client = await RendezvousTestClient.connect(session.attachUrl as string);
      const transcript = await client.closed;
      assert.equal(transcript.bytes.toString(), `${HANDSHAKE_LINE}01234`);
      assert.equal(session.state, 'up', 'the dropped connection did not end the dyno');

      writeFileSync(path.join(session.workdir, 'go'), '');
      await session.ended;
      assert.equal(session.endReason, 'exited');
      assert.equal(session.exitCode, 0);
      assert.ok(existsSync(path.join(session.workdir, 'finished.txt')));
      assert.equal(session.output().toString(), '0123456789\nafter\n');
    });

    it('counts wire bytes across chunks and with chunkSize', async () => {
      const session = sessionWith({ dropAfterBytes: 7, chunkSize: 2 }, 'echo abc; echo defgh; sleep 600');
      const client = await RendezvousTestClient.connect(session.attachUrl as string);
      const { bytes } = await client.closed;
      assert.equal(bytes.toString(), `${HANDSHAKE_LINE}abc\ndef`);
      assert.equal(session.state, 'up');
      await session.stop();
    });
  });
});
