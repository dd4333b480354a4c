// The Rendezvous wire protocol as heroku.md §7 describes it, seen from a plain TLS client.
import assert from 'node:assert/strict';
import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'mocha';
import { HANDSHAKE_LINE, RendezvousServer } from './index';
import { RendezvousTestClient, dynoSpec, secretLineFor } from './rendezvous-test-client';

/** What the Heroku CLI appends for `--exit-code` (heroku.md §7.7); U+FFFF is EF BF BF in UTF-8. */
const EXIT_STATUS_SUFFIX = ' ; echo "\uFFFF heroku-command-exit-status: $?"';
const EXIT_STATUS_MARKER = /\uFFFF heroku-command-exit-status: (\d+)/;

describe('Rendezvous simulator: protocol (heroku.md §7)', () => {
  let server: RendezvousServer;

  before(async () => {
    server = await RendezvousServer.start();
  });
  after(async () => {
    await server.close();
  });

  describe('attach URL and handshake', () => {
    it('mints rendezvous://localhost:<port>/<secret> attach URLs for attached dynos', () => {
      const session = server.createSession(dynoSpec({ command: 'true' }));
      assert.match(session.attachUrl ?? '', new RegExp(`^rendezvous://localhost:${server.port}/[0-9a-f]{48}$`));
      assert.equal(session.state, 'starting');
      assert.equal(session.pid, null, 'nothing runs before a client attaches');
    });

    it('sends the handshake line, then the output, then closes the connection when the process exits', async () => {
      const session = server.createSession(dynoSpec({ command: 'echo hello; echo oops >&2; exit 7' }));
      const client = await RendezvousTestClient.connect(session.attachUrl as string);
      const transcript = await client.closed;
      await session.ended;
      assert.equal(transcript.bytes.toString(), `${HANDSHAKE_LINE}hello\noops\n`);
      assert.equal(transcript.error, null, 'the server ends the connection cleanly');
      assert.equal(session.exitCode, 7);
      assert.equal(session.signal, null);
      assert.equal(session.state, 'crashed');
      assert.equal(session.endReason, 'exited');
      assert.equal(session.output().toString(), 'hello\noops\n');
    });

    it('reports a dyno whose process exits 0 as down', async () => {
      const session = server.createSession(dynoSpec({ command: 'echo fine' }));
      const client = await RendezvousTestClient.connect(session.attachUrl as string);
      await client.closed;
      await session.ended;
      assert.equal(session.state, 'down');
      assert.equal(session.exitCode, 0);
    });

    it('merges stderr into the stream in exactly the order the process wrote it', async () => {
      const session = server.createSession(
        dynoSpec({ command: 'for i in 1 2 3 4 5; do echo out$i; echo err$i >&2; done' }),
      );
      const client = await RendezvousTestClient.connect(session.attachUrl as string);
      const { bytes } = await client.closed;
      const expected = [1, 2, 3, 4, 5].map((i) => `out${i}\nerr${i}\n`).join('');
      assert.equal(bytes.toString(), HANDSHAKE_LINE + expected);
    });
  });

  describe('TTY emulation', () => {
    it('translates every "\\n" into "\\r\\n" without force_no_tty, as a terminal does (ONLCR)', async () => {
      const session = server.createSession(dynoSpec({ command: "printf 'a\\nb\\r\\nc'", forceNoTty: false }));
      const client = await RendezvousTestClient.connect(session.attachUrl as string);
      const { bytes } = await client.closed;
      assert.equal(bytes.toString(), `${HANDSHAKE_LINE}a\r\nb\r\r\nc`);
      assert.equal(session.output().toString(), 'a\nb\r\nc', 'output() keeps what the process wrote');
    });

    it('passes output through untouched with force_no_tty', async () => {
      const session = server.createSession(dynoSpec({ command: "printf 'a\\nb\\r\\nc'", forceNoTty: true }));
      const client = await RendezvousTestClient.connect(session.attachUrl as string);
      const { bytes } = await client.closed;
      assert.equal(bytes.toString(), `${HANDSHAKE_LINE}a\nb\r\nc`);
    });
  });

  describe('the Heroku CLI exit-status marker through a real shell (heroku.md §7.7)', () => {
    async function run(command: string, forceNoTty = true): Promise<{ text: string; exitCode: number | null }> {
      const session = server.createSession(dynoSpec({ command, forceNoTty }));
      const client = await RendezvousTestClient.connect(session.attachUrl as string);
      const { bytes } = await client.closed;
      await session.ended;
      return { text: bytes.subarray(HANDSHAKE_LINE.length).toString('utf8'), exitCode: session.exitCode };
    }

    it('prints the marker with the status of the wrapped command, as three bytes EF BF BF', async () => {
      const { text, exitCode } = await run(`echo hi; false${EXIT_STATUS_SUFFIX}`);
      assert.equal(text, 'hi\n\uFFFF heroku-command-exit-status: 1\n');
      assert.ok(Buffer.from(text).includes(Buffer.from([0xef, 0xbf, 0xbf])));
      assert.equal(exitCode, 0, 'the dyno itself exits with the status of the echo');
    });

    it('loses the marker when the command calls exit, exactly as the real platform does (heroku/cli#2468)', async () => {
      const { text, exitCode } = await run(`echo hi; exit 3${EXIT_STATUS_SUFFIX}`);
      assert.equal(text, 'hi\n');
      assert.doesNotMatch(text, EXIT_STATUS_MARKER);
      assert.equal(exitCode, 3);
    });

    it('keeps the marker when the command is wrapped in its own bash -c', async () => {
      const { text } = await run(`bash -c 'echo hi; exit 3'${EXIT_STATUS_SUFFIX}`);
      assert.equal(EXIT_STATUS_MARKER.exec(text)?.[1], '3');
    });

    it('ends the marker line with "\\r\\n" in TTY mode', async () => {
      const { text } = await run(`echo hi; (exit 5)${EXIT_STATUS_SUFFIX}`, false);
      assert.equal(text, 'hi\r\n\uFFFF heroku-command-exit-status: 5\r\n');
    });
  });

  describe('process environment', () => {
    it('runs the command in a fresh workdir with the spec env, DYNO, a minimal PATH and HOME, and nothing of the simulator', async () => {
      const session = server.createSession(
        dynoSpec({
          dynoName: 'run.4242',
          env: { GREETING: 'hello world', TERM: 'dumb' },
          command:
            'echo "$0"; pwd; echo "$HOME"; echo "$GREETING"; echo "$DYNO"; echo "$PATH"; echo "${NODE_EXTRA_CA_CERTS:-unset}"; touch stray.txt',
        }),
      );
      const client = await RendezvousTestClient.connect(session.attachUrl as string);
      const { bytes } = await client.closed;
      await session.ended;
      const workdir = realpathSync(session.workdir);
      assert.deepEqual(bytes.subarray(HANDSHAKE_LINE.length).toString().split('\n'), [
        'bash',
        workdir,
        session.workdir,
        'hello world',
        'run.4242',
        '/usr/local/bin:/usr/bin:/bin',
        'unset',
        '',
      ]);
      assert.ok(existsSync(path.join(session.workdir, 'stray.txt')), 'files the command leaves are inspectable');
    });

    it('refuses specs a real process could not receive (NUL in the command or env)', () => {
      assert.throws(() => server.createSession(dynoSpec({ command: 'echo a\0b' })), /NUL/);
      assert.throws(() => server.createSession(dynoSpec({ command: 'true', env: { A: 'x\0y' } })), /NUL/);
    });

    it('gives every dyno its own workdir', () => {
      const a = server.createSession(dynoSpec({ command: 'true' }));
      const b = server.createSession(dynoSpec({ command: 'true' }));
      assert.notEqual(a.workdir, b.workdir);
    });
  });

  describe('input (heroku.md §7.6)', () => {
    it('forwards client bytes to stdin and ends stdin on "\\x04"', async () => {
      const session = server.createSession(dynoSpec({ command: 'cat; echo "<eof>"' }));
      const client = await RendezvousTestClient.connect(session.attachUrl as string);
      client.write('line one\n');
      await client.waitFor('line one\n');
      client.write('last\x04ignored after Ctrl-D');
      const { bytes } = await client.closed;
      assert.equal(bytes.toString(), `${HANDSHAKE_LINE}line one\nlast<eof>\n`);
      assert.equal(session.exitCode, 0);
    });

    it('delivers bytes sent in the same write as the secret line to stdin', async () => {
      const session = server.createSession(dynoSpec({ command: 'cat' }));
      const line = secretLineFor(session.attachUrl as string);
      const client = await RendezvousTestClient.connect(session.attachUrl as string, {
        secretLine: `${line}early input\x04`,
      });
      const { bytes } = await client.closed;
      assert.equal(bytes.toString(), `${HANDSHAKE_LINE}early input`);
    });

    it('treats "\\x03" as SIGINT to the process group, not as input', async () => {
      const session = server.createSession(
        dynoSpec({ command: "trap 'echo got-INT; exit 42' INT; echo ready; while :; do sleep 1; done" }),
      );
      const client = await RendezvousTestClient.connect(session.attachUrl as string);
      await client.waitFor('ready\n');
      client.write('\x03');
      const { bytes } = await client.closed;
      await session.ended;
      assert.equal(bytes.toString(), `${HANDSHAKE_LINE}ready\ngot-INT\n`);
      assert.equal(session.exitCode, 42);
      assert.equal(session.endReason, 'exited');
    });

    it('treats a half-close (end of the TLS stream) as a disconnect, not as end of input', async () => {
      const session = server.createSession(dynoSpec({ command: 'cat; echo "<eof>"' }));
      const client = await RendezvousTestClient.connect(session.attachUrl as string);
      await client.waitFor(HANDSHAKE_LINE);
      client.socket.end();
      await client.closed;
      await session.ended;
      assert.equal(session.endReason, 'disconnected');
      assert.equal(session.signal, 'SIGHUP');
    });
  });

  describe('authentication (heroku.md §7.3)', () => {
    async function refused(attachUrl: string, secretLine: string | Buffer): Promise<void> {
      const client = await RendezvousTestClient.connect(attachUrl, { secretLine });
      const transcript = await client.closed;
      assert.equal(transcript.byteCount, 0, `expected no bytes, got ${JSON.stringify(transcript.bytes.toString())}`);
    }

    it('closes the connection without a byte on a wrong secret, and the dyno still waits', async () => {
      const session = server.createSession(dynoSpec({ command: 'echo hi' }));
      await refused(session.attachUrl as string, 'not-the-secret\r\n');
      assert.equal(session.state, 'starting');
      const client = await RendezvousTestClient.connect(session.attachUrl as string);
      assert.equal((await client.closed).bytes.toString(), `${HANDSHAKE_LINE}hi\n`);
    });

    it('refuses a second connection with a secret already used', async () => {
      const session = server.createSession(dynoSpec({ command: 'echo ready; sleep 600' }));
      const first = await RendezvousTestClient.connect(session.attachUrl as string);
      await first.waitFor('ready\n');
      await refused(session.attachUrl as string, secretLineFor(session.attachUrl as string));
      assert.equal(session.state, 'up', 'the first attachment is undisturbed');
      await session.stop();
      await first.closed;
    });

    it('refuses the secret of a dyno that already ended', async () => {
      const session = server.createSession(dynoSpec({ command: 'true' }));
      const client = await RendezvousTestClient.connect(session.attachUrl as string);
      await client.closed;
      await session.ended;
      await refused(session.attachUrl as string, secretLineFor(session.attachUrl as string));
    });

    it('refuses a secret line ended by a bare "\\n"', async () => {
      const session = server.createSession(dynoSpec({ command: 'true' }));
      await refused(session.attachUrl as string, secretLineFor(session.attachUrl as string).replace('\r\n', '\n'));
      assert.equal(session.state, 'starting');
    });

    it('refuses the secret with its leading "/"', async () => {
      const session = server.createSession(dynoSpec({ command: 'true' }));
      await refused(session.attachUrl as string, `/${secretLineFor(session.attachUrl as string)}`);
    });

    it('refuses a connection that sends no CRLF within a few KB', async () => {
      const session = server.createSession(dynoSpec({ command: 'true' }));
      await refused(session.attachUrl as string, Buffer.alloc(8192, 'a'));
    });

    it('refuses garbage (control bytes) before the CRLF', async () => {
      const session = server.createSession(dynoSpec({ command: 'true' }));
      await refused(session.attachUrl as string, Buffer.from([0x16, 0x03, 0x01, 0x00, 0x0d, 0x0a]));
    });

    it('requires the query string as part of the secret when the attach URL has one', async () => {
      const withQuery = await RendezvousServer.start({ faults: { queryInAttachUrl: true } });
      try {
        const session = withQuery.createSession(dynoSpec({ command: 'echo ok' }));
        const url = new URL(session.attachUrl as string);
        assert.match(url.search, /^\?sig=[0-9a-f]+$/);
        await refused(session.attachUrl as string, `${url.pathname.slice(1)}\r\n`);
        const client = await RendezvousTestClient.connect(session.attachUrl as string);
        assert.equal((await client.closed).bytes.toString(), `${HANDSHAKE_LINE}ok\n`);
      } finally {
        await withQuery.close();
      }
    });
  });

  describe('detached dynos (heroku.md §6.1 attach: false)', () => {
    it('runs a detached dyno at once, without an attach URL, keeping its output for inspection', async () => {
      const session = server.createSession(dynoSpec({ command: 'echo detached; echo err >&2; exit 4', attach: false }));
      assert.equal(session.attachUrl, null);
      assert.equal(session.state, 'up');
      await session.ended;
      assert.equal(session.output().toString(), 'detached\nerr\n');
      assert.equal(session.exitCode, 4);
      assert.equal(session.state, 'crashed');
    });

    it('gives a detached process no stdin', async () => {
      const session = server.createSession(dynoSpec({ command: 'cat; echo "status $?"', attach: false }));
      await session.ended;
      assert.equal(session.output().toString(), 'status 0\n');
    });
  });
});
