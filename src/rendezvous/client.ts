import type { OnReadOpts } from 'node:net';
import tls, { type TLSSocket } from 'node:tls';

/** The connection closed before the `rendezvous` line: the secret was refused or already spent. */
export class RendezvousRefusedError extends Error {
  override name = 'RendezvousRefusedError';
}

/** The Rendezvous host's certificate did not verify; nothing was sent to it. */
export class RendezvousCertificateError extends Error {
  override name = 'RendezvousCertificateError';
}

/**
 * Where a dyno's output goes. Bytes are lent: they are only valid during `write` (the connection
 * reads into one reused buffer, so reading allocates nothing per chunk); keep a copy of anything
 * needed later.
 */
export interface OutputSink {
  /** Takes output; false asks to stop reading until `drain()` settles (bytes already decrypted may still arrive meanwhile). */
  write(bytes: Buffer): boolean;
  drain(): Promise<void>;
}

export interface AttachedDyno {
  /** The connection: writes reach the command's stdin; destroying it ends `pipeOutput`. */
  socket: TLSSocket;
  /**
   * Streams the output into `sink` until the connection closes. Resolves `broken: true` if it
   * closed without the server ending it (reset, TLS error, destroyed); rejects with what the sink
   * threw, after destroying the connection.
   */
  pipeOutput(sink: OutputSink): Promise<{ broken: boolean }>;
}

export interface AttachOptions {
  signal?: AbortSignal;
  /** The real service sends the handshake ~2 s after connecting, once the dyno side is up. */
  handshakeTimeoutMs?: number;
}

/** Handshake lines longer than this are not Rendezvous. */
const MAX_HANDSHAKE_LINE = 1024;
/** TLS hands over at most one 16 KB record per read; the rest is headroom. */
const READ_BUFFER_BYTES = 64 * 1024;

/**
 * Attaches to a one-off dyno as the Heroku CLI does (heroku.md §7): TLS with normal certificate
 * verification (a private CA comes in through NODE_EXTRA_CA_CERTS; there is no switch to turn
 * verification off), the secret (path + query) and CRLF, then the first line from the server,
 * which is dropped. What follows on the socket is the process's output.
 */
export async function attachToDyno(attachUrl: string, options: AttachOptions = {}): Promise<AttachedDyno> {
  const url = new URL(attachUrl);
  if (url.protocol !== 'rendezvous:') throw new Error(`unsupported attach URL scheme ${url.protocol} (only rendezvous:// is supported)`);
  const host = url.hostname;
  const port = Number(url.port || 5000);
  const secret = `${url.pathname.replace(/^\//, '')}${url.search}`;

  // `onread` decrypts into one buffer we own: no allocation, stream queue or GC work per chunk
  // (a documented tls.connect option missing from @types/node's ConnectionOptions).
  const reader = new RendezvousReader();
  const readBuffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);
  const onread: OnReadOpts = { buffer: readBuffer, callback: (n) => reader.read(readBuffer.subarray(0, n)) };
  const connectOptions: tls.ConnectionOptions & { onread: OnReadOpts } = { host, port, servername: host, onread };
  const socket = tls.connect(connectOptions);
  reader.watch(socket);
  socket.setKeepAlive(true, 30_000);
  const abort = () => socket.destroy(options.signal?.reason instanceof Error ? options.signal.reason : new Error('attach aborted'));
  options.signal?.addEventListener('abort', abort, { once: true });
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('secureConnect', resolve);
      socket.once('error', (err: NodeJS.ErrnoException) => reject(isCertificateError(err) ? new RendezvousCertificateError(`TLS certificate of ${host} could not be verified (${err.code ?? err.message})`) : err));
    });
    socket.write(`${secret}\r\n`);
    await reader.handshake(options.handshakeTimeoutMs ?? 120_000);
    return { socket, pipeOutput: (sink) => reader.pipe(sink) };
  } catch (err) {
    socket.destroy();
    throw err;
  } finally {
    options.signal?.removeEventListener('abort', abort);
  }
}

/**
 * What arrives on one connection: the handshake line, then output. Between the handshake and
 * `pipe` reading is paused; what was already decrypted is kept (copied) for the sink.
 */
class RendezvousReader {
  private socket!: TLSSocket;
  private state: 'handshake' | 'waiting' | 'piping' = 'handshake';
  private line: Buffer = Buffer.alloc(0);
  private early: Buffer[] = [];
  private onHandshake: (() => void) | undefined;
  private sink: OutputSink | undefined;
  private draining = false;
  private sinkFailure: { error: unknown } | undefined;
  private ended = false;
  private closed!: Promise<void>;

  /** Follows the connection from its start, so an end or close before `pipe` is not missed. */
  watch(socket: TLSSocket): void {
    this.socket = socket;
    socket.once('end', () => (this.ended = true));
    socket.on('error', () => undefined); // after the handshake, an error shows as `broken`
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
  }

  /** The `onread` callback: `bytes` are only valid during the call; returning false stops reading. */
  read(bytes: Buffer): boolean {
    if (this.state === 'piping') return this.deliver(bytes);
    if (this.state === 'waiting') {
      this.early.push(Buffer.from(bytes));
      return false;
    }
    this.line = Buffer.concat([this.line, bytes]);
    const lf = this.line.indexOf(0x0a);
    if (lf === -1) {
      if (this.line.length > MAX_HANDSHAKE_LINE) this.socket.destroy(new Error('the Rendezvous server sent no handshake line'));
      return true;
    }
    this.early.push(this.line.subarray(lf + 1));
    this.state = 'waiting';
    this.onHandshake?.();
    return false; // until a sink is attached
  }

  /** Resolves once the handshake line has arrived; rejects if the connection closes first or it takes too long. */
  handshake(timeoutMs: number): Promise<void> {
    if (this.state !== 'handshake') return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => finish(new Error(`no Rendezvous handshake within ${timeoutMs} ms`)), timeoutMs);
      const onClose = () => finish(new RendezvousRefusedError('Rendezvous closed the connection before the handshake (the attach secret was refused or already used)'));
      const onError = (err: Error) => finish(err);
      const finish = (err?: Error) => {
        clearTimeout(timer);
        this.onHandshake = undefined;
        this.socket.off('close', onClose);
        this.socket.off('error', onError);
        if (err) reject(err);
        else resolve();
      };
      this.onHandshake = () => finish();
      this.socket.once('close', onClose);
      this.socket.once('error', onError);
    });
  }

  pipe(sink: OutputSink): Promise<{ broken: boolean }> {
    this.sink = sink;
    this.state = 'piping';
    let more = true;
    for (const bytes of this.early) more = this.deliver(bytes) && more;
    this.early = [];
    if (more && !this.socket.destroyed) this.socket.resume();
    return this.closed.then(() => {
      if (this.sinkFailure) throw this.sinkFailure.error;
      return { broken: !this.ended };
    });
  }

  private deliver(bytes: Buffer): boolean {
    if (this.sinkFailure || !this.sink) return false;
    try {
      const more = this.sink.write(bytes);
      if (this.draining) return false; // stays paused until the pending drain settles
      if (more) return true;
      this.draining = true;
      this.sink.drain().then(
        () => {
          this.draining = false;
          if (!this.socket.destroyed) this.socket.resume();
        },
        (err: unknown) => this.fail(err),
      );
    } catch (err) {
      this.fail(err);
    }
    return false;
  }

  private fail(error: unknown): void {
    this.sinkFailure ??= { error };
    this.socket.destroy();
  }
}

function isCertificateError(err: NodeJS.ErrnoException): boolean {
  return /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS_CERT_ALTNAME/.test(err.code ?? '');
}
