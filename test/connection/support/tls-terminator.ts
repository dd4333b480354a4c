import { connect as netConnect, type Socket } from 'node:net';
import { createServer, type TLSSocket } from 'node:tls';

/**
 * TLS in front of a plain-text Temporal frontend (the dev server has no TLS of its own): it demands
 * a client certificate signed by `clientCa` (mTLS), then pipes bytes to `upstream`. Counts the
 * handshakes it accepted and refused.
 */
export interface TlsTerminator {
  address: string;
  accepted: number;
  refused: number;
  /** Temporal unreachable: every connection cut, nothing listening on the address. */
  pause(): Promise<void>;
  /** Listening again on the same address. */
  resume(): Promise<void>;
  close(): Promise<void>;
}

export async function startTlsTerminator(options: { upstream: string; cert: string; key: string; clientCa: string }): Promise<TlsTerminator> {
  const [host, port] = options.upstream.split(':') as [string, string];
  const sockets = new Set<Socket>();
  const state = { accepted: 0, refused: 0 };
  const server = createServer({ cert: options.cert, key: options.key, ca: options.clientCa, requestCert: true, rejectUnauthorized: true, ALPNProtocols: ['h2'] }, (client: TLSSocket) => {
    state.accepted++;
    const upstream = netConnect(Number(port), host);
    sockets.add(client).add(upstream);
    client.pipe(upstream).pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  server.on('tlsClientError', () => state.refused++);
  server.on('connection', (s: Socket) => sockets.add(s));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port: listening } = server.address() as { port: number };
  const stop = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const s of sockets) s.destroy();
      sockets.clear();
    });
  return {
    address: `127.0.0.1:${listening}`,
    pause: stop,
    resume: () => new Promise<void>((resolve) => server.listen(listening, '127.0.0.1', resolve)),
    get accepted() {
      return state.accepted;
    },
    get refused() {
      return state.refused;
    },
    close: () => (server.listening ? stop() : Promise.resolve()),
  };
}
