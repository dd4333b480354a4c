// Clients must verify the Rendezvous certificate normally (heroku.md §7.2, CONTRACT.md §2): the
// test CA is trusted through NODE_EXTRA_CA_CERTS, and nothing here turns verification off.
import assert from 'node:assert/strict';
import { realpathSync } from 'node:fs';
import { isIP } from 'node:net';
import tls from 'node:tls';
import { after, before, describe, it } from 'mocha';
import { HANDSHAKE_LINE, RendezvousServer, TEST_CA_PATH } from './index';
import { RendezvousTestClient, dynoSpec } from './rendezvous-test-client';

/**
 * Resolves with the TLS error code a normally verifying client gets when it connects to 127.0.0.1
 * expecting `name`, or null when it connects. An IP is checked against the certificate's IP SANs
 * and sent without SNI (RFC 6066 forbids IPs there).
 */
function verificationError(port: number, name: string): Promise<string | null> {
  return new Promise((resolve) => {
    const socket = isIP(name)
      ? tls.connect({ host: name, port })
      : tls.connect({ host: '127.0.0.1', port, servername: name });
    socket.once('secureConnect', () => {
      socket.destroy();
      resolve(null);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

describe('Rendezvous simulator: TLS trust', () => {
  before(function () {
    const extra = process.env.NODE_EXTRA_CA_CERTS;
    assert.ok(
      extra && realpathSync(extra) === realpathSync(TEST_CA_PATH),
      `run the tests with NODE_EXTRA_CA_CERTS=test/fixtures/tls/ca.pem (got ${String(extra)})`,
    );
  });

  describe('with the test-CA certificate', () => {
    let server: RendezvousServer;
    before(async () => {
      server = await RendezvousServer.start();
    });
    after(async () => {
      await server.close();
    });

    it('is accepted by a client with normal verification, through the attach URL host', async () => {
      const session = server.createSession(dynoSpec({ command: 'echo trusted' }));
      const client = await RendezvousTestClient.connect(session.attachUrl as string);
      assert.equal(client.socket.authorized, true);
      assert.equal((await client.closed).bytes.toString(), `${HANDSHAKE_LINE}trusted\n`);
    });

    for (const name of ['localhost', 'rendezvous.localhost', '127.0.0.1']) {
      it(`covers the name ${name}`, async () => {
        assert.equal(await verificationError(server.port, name), null);
      });
    }

    it('is refused for any other host name (ERR_TLS_CERT_ALTNAME_INVALID)', async () => {
      assert.equal(await verificationError(server.port, 'rendezvous.runtime.heroku.com'), 'ERR_TLS_CERT_ALTNAME_INVALID');
    });

    it('uses the host option in attach URLs', async () => {
      const named = await RendezvousServer.start({ host: '127.0.0.1' });
      try {
        const session = named.createSession(dynoSpec({ command: 'echo by-ip' }));
        assert.ok(session.attachUrl?.startsWith(`rendezvous://127.0.0.1:${named.port}/`));
        const client = await RendezvousTestClient.connect(session.attachUrl as string);
        assert.equal((await client.closed).bytes.toString(), `${HANDSHAKE_LINE}by-ip\n`);
      } finally {
        await named.close();
      }
    });
  });

  describe("with certificate: 'untrusted' (self-signed)", () => {
    let server: RendezvousServer;
    before(async () => {
      server = await RendezvousServer.start({ certificate: 'untrusted' });
    });
    after(async () => {
      await server.close();
    });

    it('is refused by a client with normal verification, and the dyno is not attached', async () => {
      const session = server.createSession(dynoSpec({ command: 'echo never' }));
      await assert.rejects(RendezvousTestClient.connect(session.attachUrl as string), (error: NodeJS.ErrnoException) => {
        assert.ok(
          ['DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'].includes(error.code ?? ''),
          `unexpected ${error.code}: ${error.message}`,
        );
        return true;
      });
      assert.equal(session.state, 'starting');
    });
  });
});
