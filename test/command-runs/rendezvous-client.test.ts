// Our Rendezvous client (src/rendezvous/client.ts) against the simulator: the handshake, output
// handed to a sink from one reused read buffer, backpressure, and how the connection ends.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'mocha';
import { attachToDyno, RendezvousRefusedError, type OutputSink } from '../../src/rendezvous/client';
import { RendezvousServer } from '../simulators/heroku/rendezvous';
import { dynoSpec } from '../simulators/heroku/rendezvous/rendezvous-test-client';

/** A sink that keeps copies of what it is lent (as it must) and can hold reading back. */
class RecordingSink implements OutputSink {
  readonly received: Buffer[] = [];
  bytes = 0;
  /** Bytes written while a drain was pending. */
  bytesWhilePaused = 0;
  private pausedUntil: Promise<void> | undefined;

  constructor(private readonly options: { pauseEveryBytes?: number; pauseMs?: number } = {}) {}

  write(bytes: Buffer): boolean {
    this.received.push(Buffer.from(bytes));
    if (this.pausedUntil) this.bytesWhilePaused += bytes.length;
    const before = this.bytes;
    this.bytes += bytes.length;
    const every = this.options.pauseEveryBytes;
    if (!every || this.pausedUntil || Math.floor(before / every) === Math.floor(this.bytes / every)) return true;
    this.pausedUntil = new Promise((resolve) => setTimeout(resolve, this.options.pauseMs ?? 50)).then(() => (this.pausedUntil = undefined));
    return false;
  }

  drain(): Promise<void> {
    return this.pausedUntil ?? Promise.resolve();
  }

  text(): string {
    return Buffer.concat(this.received).toString();
  }
}

describe('Rendezvous client: handshake, lent output, backpressure', () => {
  let server: RendezvousServer;

  before(async () => {
    server = await RendezvousServer.start();
  });
  after(async () => {
    await server.close();
  });

  it('hands every output byte to the sink in order, and waits while the sink drains', async () => {
    const session = server.createSession(dynoSpec({ command: 'seq 1 300000' })); // about 2 MB
    const attached = await attachToDyno(session.attachUrl as string);
    const sink = new RecordingSink({ pauseEveryBytes: 256 * 1024, pauseMs: 100 });
    const { broken } = await attached.pipeOutput(sink);
    const expected = `${Array.from({ length: 300000 }, (_, i) => i + 1).join('\n')}\n`;
    assert.equal(broken, false, 'the server ended the stream');
    assert.equal(sink.text(), expected, 'every byte, in order, although the read buffer is reused');
    // While paused only what was already decrypted may still arrive: a few TLS records, not the stream.
    assert.ok(sink.bytesWhilePaused < 8 * 64 * 1024, `${sink.bytesWhilePaused} bytes arrived during pauses`);
  });

  it('keeps output that arrived before a sink was attached, also when the dyno has already closed the stream', async () => {
    const session = server.createSession(dynoSpec({ command: 'echo early; echo done' }));
    const attached = await attachToDyno(session.attachUrl as string);
    await session.ended;
    await new Promise((resolve) => setTimeout(resolve, 200));
    const sink = new RecordingSink();
    assert.deepEqual(await attached.pipeOutput(sink), { broken: false });
    assert.equal(sink.text(), 'early\ndone\n');
  });

  it('reports a connection destroyed mid-stream as broken, keeping what arrived', async () => {
    const session = server.createSession(dynoSpec({ command: 'echo first; sleep 30' }));
    const attached = await attachToDyno(session.attachUrl as string);
    const sink = new RecordingSink();
    const piping = attached.pipeOutput({
      write: (bytes) => {
        const more = sink.write(bytes);
        if (sink.text().includes('first\n')) attached.socket.destroy();
        return more;
      },
      drain: () => sink.drain(),
    });
    assert.deepEqual(await piping, { broken: true });
    assert.equal(sink.text(), 'first\n');
  });

  it('rejects with what the sink threw (a failed insert) and closes the connection', async () => {
    const session = server.createSession(dynoSpec({ command: 'seq 1 100000' }));
    const attached = await attachToDyno(session.attachUrl as string);
    const failure = new Error('insert failed');
    await assert.rejects(
      attached.pipeOutput({
        write: () => {
          throw failure;
        },
        drain: () => Promise.resolve(),
      }),
      (err) => err === failure,
    );
    assert.equal(attached.socket.destroyed, true);
  });

  it('rejects with what a drain rejected with', async () => {
    const session = server.createSession(dynoSpec({ command: 'seq 1 100000' }));
    const attached = await attachToDyno(session.attachUrl as string);
    const failure = new Error('the database went away');
    await assert.rejects(attached.pipeOutput({ write: () => false, drain: () => Promise.reject(failure) }), (err) => err === failure);
    assert.equal(attached.socket.destroyed, true);
  });

  it('fails the attach with RendezvousRefusedError when the secret is refused', async () => {
    const session = server.createSession(dynoSpec({ command: 'echo never' }));
    const wrong = (session.attachUrl as string).replace(/[0-9a-f]{8}$/, '00000000');
    await assert.rejects(attachToDyno(wrong, { handshakeTimeoutMs: 10_000 }), RendezvousRefusedError);
    assert.equal(session.pid, null, 'nothing ran');
  });
});
