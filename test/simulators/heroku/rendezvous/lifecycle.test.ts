// How simulated dynos end: time_to_live, actions/stop, client disconnect, attach timeout, and a
// server close() that leaves no process behind (heroku.md §6.1–6.2, §7.8–7.9).
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'mocha';
import { HANDSHAKE_LINE, RendezvousServer } from './index';
import { isProcessRunning } from './process-group';
import { RendezvousTestClient, dynoSpec, secretLineFor } from './rendezvous-test-client';

describe('Rendezvous simulator: dyno lifecycle (heroku.md §6)', () => {
  let server: RendezvousServer;

  before(async () => {
    server = await RendezvousServer.start({ stopGraceMs: 300, attachTimeoutMs: 60_000 });
  });
  after(async () => {
    await server.close();
  });

  describe('states', () => {
    it('goes starting -> up on attach -> down on exit 0', async () => {
      const session = server.createSession(dynoSpec({ command: 'read line; echo "got $line"' }));
      assert.equal(session.state, 'starting');
      const client = await RendezvousTestClient.connect(session.attachUrl as string);
      await client.waitFor(HANDSHAKE_LINE);
      assert.equal(session.state, 'up');
      assert.ok(session.pid !== null && isProcessRunning(session.pid));
      client.write('x\n');
      await session.ended;
      assert.equal(session.state, 'down');
      assert.equal((await client.closed).bytes.toString(), `${HANDSHAKE_LINE}got x\n`);
    });
  });

  describe('time_to_live', () => {
    it('SIGKILLs an attached process when time_to_live passes and closes the stream', async () => {
      const session = server.createSession(dynoSpec({ command: 'echo ready; sleep 600', timeToLiveSeconds: 0.5 }));
      const client = await RendezvousTestClient.connect(session.attachUrl as string);
      const transcript = await client.closed;
      await session.ended;
      assert.equal(transcript.bytes.toString(), `${HANDSHAKE_LINE}ready\n`);
      assert.equal(session.endReason, 'ttl');
      assert.equal(session.signal, 'SIGKILL');
      assert.equal(session.exitCode, null);
      assert.equal(session.state, 'crashed');
    });

    it('kills a detached dyno at time_to_live too', async () => {
      const session = server.createSession(dynoSpec({ command: 'sleep 600', attach: false, timeToLiveSeconds: 0.3 }));
      await session.ended;
      assert.equal(session.endReason, 'ttl');
      assert.equal(session.signal, 'SIGKILL');
    });

    it('ends a dyno nobody attached to at time_to_live, and its secret is refused afterwards', async () => {
      const session = server.createSession(dynoSpec({ command: 'echo never', timeToLiveSeconds: 0.3 }));
      await session.ended;
      assert.equal(session.endReason, 'ttl');
      assert.equal(session.pid, null);
      assert.equal(session.state, 'crashed');
      const late = await RendezvousTestClient.connect(session.attachUrl as string);
      assert.equal((await late.closed).byteCount, 0);
    });
  });

  describe('actions/stop', () => {
    it('sends SIGTERM to the process group: a process that handles it exits in its own way', async () => {
      const session = server.createSession(
        dynoSpec({ command: "trap 'echo terminating; exit 0' TERM; echo ready; sleep 600 & wait" }),
      );
      const client = await RendezvousTestClient.connect(session.attachUrl as string);
      await client.waitFor('ready\n');
      await session.stop();
      assert.equal(session.endReason, 'stopped');
      assert.equal(session.exitCode, 0);
      assert.equal(session.state, 'down');
      assert.equal((await client.closed).bytes.toString(), `${HANDSHAKE_LINE}ready\nterminating\n`);
    });

    it('SIGKILLs a process that ignores SIGTERM after stopGraceMs', async () => {
      const session = server.createSession(dynoSpec({ command: "trap '' TERM; echo ready; sleep 600" }));
      const client = await RendezvousTestClient.connect(session.attachUrl as string);
      await client.waitFor('ready\n');
      await session.stop();
      assert.equal(session.endReason, 'stopped');
      assert.equal(session.signal, 'SIGKILL');
      assert.equal(session.state, 'crashed');
      await client.closed;
    });

    it('stops a dyno before anyone attached: it never runs', async () => {
      const session = server.createSession(dynoSpec({ command: 'echo never' }));
      await session.stop();
      assert.equal(session.endReason, 'stopped');
      assert.equal(session.pid, null);
      assert.equal(session.state, 'down');
    });

    it('stops a detached dyno', async () => {
      const session = server.createSession(dynoSpec({ command: 'sleep 600', attach: false }));
      await session.stop();
      assert.equal(session.endReason, 'stopped');
      assert.equal(session.signal, 'SIGTERM');
    });

    it('resolves at once when stopping a dyno that already ended', async () => {
      const session = server.createSession(dynoSpec({ command: 'true', attach: false }));
      await session.ended;
      await session.stop();
      assert.equal(session.endReason, 'exited');
    });
  });

  describe('client disconnect (heroku.md §6.2)', () => {
    it('sends SIGHUP to the process group when the client goes away', async () => {
      const session = server.createSession(
        dynoSpec({ command: "trap 'echo hup > hangup.txt; exit 1' HUP; echo ready; sleep 600 & wait" }),
      );
      const client = await RendezvousTestClient.connect(session.attachUrl as string);
      await client.waitFor('ready\n');
      client.socket.destroy();
      await session.ended;
      assert.equal(session.endReason, 'disconnected');
      assert.equal(readFileSync(path.join(session.workdir, 'hangup.txt'), 'utf8'), 'hup\n');
      assert.equal(session.exitCode, 1);
    });

    it('kills a plain process with SIGHUP', async () => {
      const session = server.createSession(dynoSpec({ command: 'echo ready; sleep 600' }));
      const client = await RendezvousTestClient.connect(session.attachUrl as string);
      await client.waitFor('ready\n');
      client.socket.destroy();
      await session.ended;
      assert.equal(session.endReason, 'disconnected');
      assert.equal(session.signal, 'SIGHUP');
    });

    it('SIGKILLs a process that ignores SIGHUP after stopGraceMs: the dyno still ends', async () => {
      const session = server.createSession(dynoSpec({ command: "trap '' HUP; echo ready; sleep 600" }));
      const client = await RendezvousTestClient.connect(session.attachUrl as string);
      await client.waitFor('ready\n');
      client.socket.destroy();
      await session.ended;
      assert.equal(session.endReason, 'disconnected');
      assert.equal(session.signal, 'SIGKILL');
    });

    it('keeps capturing what the process writes after the client left', async () => {
      const session = server.createSession(
        dynoSpec({ command: "trap 'echo bye; exit 0' HUP; echo ready; sleep 600 & wait" }),
      );
      const client = await RendezvousTestClient.connect(session.attachUrl as string);
      await client.waitFor('ready\n');
      client.socket.destroy();
      await session.ended;
      assert.equal(session.output().toString(), 'ready\nbye\n');
    });
  });

  describe('attach timeout', () => {
    it('ends a dyno nobody attaches to within attachTimeoutMs, and refuses a late client', async () => {
      const impatient = await RendezvousServer.start({ attachTimeoutMs: 200 });
      try {
        const session = impatient.createSession(dynoSpec({ command: 'echo never' }));
        await session.ended;
        assert.equal(session.endReason, 'attach_timeout');
        assert.equal(session.state, 'crashed');
        assert.equal(session.pid, null);
        const late = await RendezvousTestClient.connect(session.attachUrl as string, {
          secretLine: secretLineFor(session.attachUrl as string),
        });
        assert.equal((await late.closed).byteCount, 0);
      } finally {
        await impatient.close();
      }
    });
  });

  describe('process teardown', () => {
    it('kills what the command left running in the background when its main process exits', async () => {
      const session = server.createSession(dynoSpec({ command: 'sleep 600 & echo $!', attach: false }));
      await session.ended;
      const backgroundPid = Number(session.output().toString().trim());
      assert.ok(backgroundPid > 0);
      assert.equal(isProcessRunning(backgroundPid), false);
      assert.equal(session.exitCode, 0);
    });

    it('close() kills every process, closes every socket and removes the work dirs', async () => {
      const doomed = await RendezvousServer.start({ stopGraceMs: 60_000 });
      const stubborn = "trap '' TERM HUP INT; ";
      const attached = doomed.createSession(
        dynoSpec({ command: `${stubborn}sleep 600 & echo $!; (sleep 600 & echo $!); echo ready; sleep 600` }),
      );
      const detached = doomed.createSession(
        dynoSpec({ command: `${stubborn}sleep 600 & echo $!; echo ready; sleep 600`, attach: false }),
      );
      const waiting = doomed.createSession(dynoSpec({ command: 'echo never' }));
      const client = await RendezvousTestClient.connect(attached.attachUrl as string);
      await client.waitFor('ready\n');
      await detached.waitForOutput('ready\n');

      const pids = [attached, detached].flatMap((session) => [
        session.pid as number,
        ...session
          .output()
          .toString()
          .split('\n')
          .filter((line) => /^\d+$/.test(line))
          .map(Number),
      ]);
      assert.equal(pids.length, 5);
      assert.ok(pids.every(isProcessRunning), 'all started');

      await doomed.close();

      assert.deepEqual(pids.filter(isProcessRunning), [], 'no process survives close()');
      const transcript = await client.closed;
      assert.ok(transcript.bytes.toString().startsWith(HANDSHAKE_LINE));
      for (const session of [attached, detached, waiting]) {
        assert.notEqual(session.state, 'up');
        assert.equal(session.endReason, 'stopped');
        assert.equal(existsSync(session.workdir), false);
      }
      assert.throws(() => doomed.createSession(dynoSpec({ command: 'true' })), /closed/);
    });

    it('close() waits for nothing that is not there: a server with no sessions closes at once', async () => {
      const idle = await RendezvousServer.start();
      await idle.close();
      await idle.close();
    });
  });

  describe('faults are fixed per session', () => {
    it('applies server.faults to sessions created afterwards only', async () => {
      const first = server.createSession(dynoSpec({ command: 'echo one' }));
      server.faults = { leadingNuls: 2 };
      const second = server.createSession(dynoSpec({ command: 'echo two' }));
      server.faults = {};
      const a = await RendezvousTestClient.connect(first.attachUrl as string);
      const b = await RendezvousTestClient.connect(second.attachUrl as string);
      assert.equal((await a.closed).bytes.toString(), `${HANDSHAKE_LINE}one\n`);
      assert.equal((await b.closed).bytes.toString(), `${HANDSHAKE_LINE}\0\0two\n`);
    });
  });
});
