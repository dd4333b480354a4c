import tls, { type TLSSocket } from 'node:tls';

/** The connection closed before the `rendezvous` line: the secret was refused or already spent. */
export class RendezvousRefusedError extends Error {
  override name = 'RendezvousRefusedError';
}

/** The Rendezvous host's certificate did not verify; nothing was sent to it. */
export class RendezvousCertificateError extends Error {
  override name = 'RendezvousCertificateError';
}

export interface AttachedDyno {
  socket: TLSSocket;
  /** Output bytes that arrived in the same read as the handshake line. */
  firstBytes: Buffer;
}

export interface AttachOptions {
  signal?: AbortSignal;
  /** The real service sends the handshake ~2 s after connecting, once the dyno side is up. */
  handshakeTimeoutMs?: number;
}

/** Handshake lines longer than this are not Rendezvous. */
const MAX_HANDSHAKE_LINE = 1024;

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

  // A deep read buffer keeps the dyno sending while a batch is being stored (`highWaterMark` is a
  // documented tls.connect option missing from @types/node).
  const socket = tls.connect({ host, port, servername: host, highWaterMark: 256 * 1024 } as tls.ConnectionOptions);
  socket.setKeepAlive(true, 30_000);
  const abort = () => socket.destroy(options.signal?.reason instanceof Error ? options.signal.reason : new Error('attach aborted'));
  options.signal?.addEventListener('abort', abort, { once: true });
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('secureConnect', resolve);
      socket.once('error', (err: NodeJS.ErrnoException) => reject(isCertificateError(err) ? new RendezvousCertificateError(`TLS certificate of ${host} could not be verified (${err.code ?? err.message})`) : err));
    });
    socket.write(`${secret}\r\n`);
    return { socket, firstBytes: await readHandshake(socket, options.handshakeTimeoutMs ?? 120_000) };
  } catch (err) {
    socket.destroy();
    throw err;
  } finally {
    options.signal?.removeEventListener('abort', abort);
  }
}

/** Reads up to and including the first LF; resolves with whatever came after it in the same reads. */
function readHandshake(socket: TLSSocket, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let received = Buffer.alloc(0);
    const timer = setTimeout(() => finish(new Error(`no Rendezvous handshake within ${timeoutMs} ms`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const lf = received.indexOf(0x0a);
      if (lf >= 0) finish(undefined, received.subarray(lf + 1));
      else if (received.length > MAX_HANDSHAKE_LINE) finish(new Error('the Rendezvous server sent no handshake line'));
    };
    const onClose = () => finish(new RendezvousRefusedError('Rendezvous closed the connection before the handshake (the attach secret was refused or already used)'));
    const onError = (err: Error) => finish(err);
    function finish(err: Error | undefined, rest?: Buffer) {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('close', onClose);
      socket.off('error', onError);
      if (err) reject(err);
      else {
        socket.pause();
        resolve(rest ?? Buffer.alloc(0));
      }
    }
    socket.on('data', onData);
    socket.once('close', onClose);
    socket.once('error', onError);
  });
}

function isCertificateError(err: NodeJS.ErrnoException): boolean {
  return /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS_CERT_ALTNAME/.test(err.code ?? '');
}
