// Large outputs stream with backpressure end to end: a slow client holds the process back instead
// of the simulator buffering, and with keepOutput: false memory stays flat (DESIGN.md: "memory stays
// flat no matter how large the output is" is the product's invariant; the simulator must not hide a
// violation of it, nor cause one).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'mocha';
import { HANDSHAKE_LINE, RendezvousServer } from './index';
import { RendezvousTestClient, dynoSpec } from './rendezvous-test-client';

const MB = 1024 * 1024;

/**
 * Resolves once `read()` is non-zero and then returned the same value `times` times in a row,
 * `everyMs` apart. Proving that something does *not* happen needs a bounded wait; it cannot make
 * a correct simulator fail, only give a broken one more time to show itself.
 */
async function settled(read: () => number, times = 4, everyMs = 50): Promise<number> {
  let last = read();
  for (let same = 0; same < times || last === 0; ) {
    await new Promise((resolve) => setTimeout(resolve, everyMs));
    const now = read();
    same = now === last ? same + 1 : 0;
    last = now;
  }
  return last;
}

describe('Rendezvous simulator: large output', () => {
  let server: RendezvousServer;
  let lean: RendezvousServer;

  before(async () => {
    server = await RendezvousServer.start();
    lean = await RendezvousServer.start({ keepOutput: false });
  });
  after(async () => {
    await Promise.all([server.close(), lean.close()]);
  });

  it('streams 50 MB from head -c, holding the process back while the client does not read', async () => {
    const size = 50 * MB;
    const session = server.createSession(dynoSpec({ command: `head -c ${size} /dev/zero` }));
    const client = await RendezvousTestClient.connect(session.attachUrl as string, { keepBytes: false, paused: true });

    // Backpressure: with the client not reading, the process blocks once the socket and pipe
    // buffers are full. Without it, the simulator would read all 50 MB into memory at once.
    const heldAt = await settled(() => session.outputBytes);
    assert.ok(heldAt < size / 2, `the process got ${heldAt} bytes out while nobody read`);
    assert.equal(session.state, 'up');

    client.socket.resume();
    const transcript = await client.closed;
    await session.ended;
    assert.equal(transcript.byteCount, HANDSHAKE_LINE.length + size);
    assert.equal(session.exitCode, 0);
    assert.equal(session.output().length, size, 'keepOutput (default) keeps it all');
  });

  it('keeps the simulator flat in memory with keepOutput: false while 200 MB stream through', async () => {
    const size = 200 * MB;
    const session = lean.createSession(dynoSpec({ command: `head -c ${size} /dev/urandom` }));
    const baseline = process.memoryUsage.rss();
    let peak = baseline;
    const client = await RendezvousTestClient.connect(session.attachUrl as string, { keepBytes: false });
    client.socket.on('data', () => (peak = Math.max(peak, process.memoryUsage.rss())));
    const transcript = await client.closed;
    await session.ended;
    assert.equal(transcript.byteCount, HANDSHAKE_LINE.length + size);
    assert.equal(session.outputBytes, size);
    const growth = peak - baseline;
    assert.ok(growth < 64 * MB, `RSS grew by ${Math.round(growth / MB)} MB while streaming ${size / MB} MB`);
    assert.throws(() => session.output(), /keepOutput: false/);
  });
});
