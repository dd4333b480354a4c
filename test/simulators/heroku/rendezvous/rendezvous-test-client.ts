// A deliberately plain Rendezvous client for the simulator's own tests: `tls.connect` with normal
// certificate verification (the test CA comes from NODE_EXTRA_CA_CERTS), the secret line, and a
// transcript of every byte and every `data` chunk received. No protocol smarts on purpose.
import { randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import tls, { type TLSSocket } from 'node:tls';
import type { DynoProcessSpec } from './types';

export interface Transcript {
  /** Everything received, handshake line included. */
  bytes: Buffer;
  /** The `data` chunks as they arrived (empty when `keepBytes: false`). */
  chunks: Buffer[];
  /** Total bytes received. */
  byteCount: number;
  /** The socket error that ended the connection, if any (e.g. ECONNRESET). */
  error: NodeJS.ErrnoException | null;
}

export interface ConnectOptions {
  /** The line to authenticate with; default: path without "/" + query + "\r\n" (heroku.md §7.3). */
  secretLine?: string | Buffer;
  /** Keep the received bytes; false only counts them (large-output tests). */
  keepBytes?: boolean;
  /** Do not read: leave the socket paused after connecting (backpressure tests). */
  paused?: boolean;
}

/** The authentication line a correct client sends for `attachUrl`. */
export function secretLineFor(attachUrl: string): string {
  const url = new URL(attachUrl);
  return `${url.pathname.slice(1)}${url.search}\r\n`;
}

export class RendezvousTestClient {
  /** Resolves with the transcript once the connection is closed. */
  readonly closed: Promise<Transcript>;
  private readonly chunks: Buffer[] = [];
  private byteCount = 0;
  private error: NodeJS.ErrnoException | null = null;
  private readonly waiters = new Set<() => void>();
  private isClosed = false;

  private constructor(
    readonly socket: TLSSocket,
    private readonly keepBytes: boolean,
  ) {
    socket.on('data', (chunk: Buffer) => {
      this.byteCount += chunk.length;
      if (this.keepBytes) this.chunks.push(chunk);
      for (const wake of this.waiters) wake();
    });
    socket.on('error', (error: NodeJS.ErrnoException) => (this.error = error));
    this.closed = new Promise((resolve) => {
      socket.on('close', () => {
        this.isClosed = true;
        for (const wake of this.waiters) wake();
        resolve(this.transcript());
      });
    });
  }

  /** Connects to `attachUrl` (TLS, SNI = host, normal verification) and writes the secret line. */
  static connect(attachUrl: string, options: ConnectOptions = {}): Promise<RendezvousTestClient> {
    const url = new URL(attachUrl);
    return new Promise((resolve, reject) => {
      const host = url.hostname;
      // SNI = host (heroku.md §7.2), except for an IP, which RFC 6066 keeps out of SNI.
      const socket = tls.connect({ host, port: Number(url.port), servername: isIP(host) ? undefined : host });
      const client = new RendezvousTestClient(socket, options.keepBytes ?? true);
      if (options.paused) socket.pause();
      socket.once('error', reject);
      socket.once('secureConnect', () => {
        socket.off('error', reject);
        socket.write(options.secretLine ?? secretLineFor(attachUrl));
        resolve(client);
      });
    });
  }

  /** Bytes received so far. */
  received(): Buffer {
    return Buffer.concat(this.chunks);
  }

  get receivedByteCount(): number {
    return this.byteCount;
  }

  /** Resolves once the received bytes contain `text`; rejects if the connection closes first. */
  waitFor(text: string | Buffer): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (this.received().includes(text)) {
          this.waiters.delete(check);
          resolve();
        } else if (this.isClosed) {
          this.waiters.delete(check);
          reject(new Error(`connection closed before ${JSON.stringify(String(text))}; got ${JSON.stringify(this.received().toString())}`));
        }
      };
      this.waiters.add(check);
      check();
    });
  }

  write(data: string | Buffer): void {
    this.socket.write(data);
  }

  private transcript(): Transcript {
    return { bytes: this.received(), chunks: [...this.chunks], byteCount: this.byteCount, error: this.error };
  }
}

/** A spec with test defaults: attached, no TTY, 60 s time_to_live. */
export function dynoSpec(overrides: Partial<DynoProcessSpec> & Pick<DynoProcessSpec, 'command'>): DynoProcessSpec {
  return {
    dynoId: randomUUID(),
    dynoName: `run.${1000 + Math.floor(Math.random() * 9000)}`,
    env: {},
    timeToLiveSeconds: 60,
    forceNoTty: true,
    attach: true,
    ...overrides,
  };
}
