// Authentication (heroku.md §7.3): the first thing a client writes is the attach URL's path without
// the leading "/" plus its query string, followed by "\r\n"; nothing else frames it. This reader
// is strict on purpose: a bare "\n", control characters or spaces in the line, or no CRLF within
// MAX_SECRET_LINE_BYTES are all refused, so a sloppy client fails here as it would for real.
import type { TLSSocket } from 'node:tls';

/** A secret line longer than this (a few KB, per the brief) is garbage. */
export const MAX_SECRET_LINE_BYTES = 4096;

export interface SecretLine {
  secret: string;
  /** Bytes the client sent after the CRLF in the same read: they already belong to stdin. */
  rest: Buffer;
}

const CRLF = Buffer.from('\r\n');
const PRINTABLE_ASCII_WITHOUT_SPACE = /^[\x21-\x7e]+$/;

/**
 * Reads the secret line from a fresh connection. Resolves null when the line is malformed or the
 * client goes away or stays silent for `timeoutMs`; the caller then closes without writing.
 */
export function readSecretLine(socket: TLSSocket, timeoutMs: number): Promise<SecretLine | null> {
  return new Promise((resolve) => {
    let received = Buffer.alloc(0);
    const finish = (line: SecretLine | null): void => {
      if (line) socket.pause(); // before dropping the listener, or flowing data would be lost
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('end', onGone);
      socket.off('close', onGone);
      socket.off('error', onGone);
      resolve(line);
    };
    const onGone = (): void => finish(null);
    const onData = (chunk: Buffer): void => {
      received = Buffer.concat([received, chunk]);
      const crlf = received.indexOf(CRLF);
      const lf = received.indexOf(0x0a);
      // A "\n" that is not the one of the first CRLF: the client ended the line with a bare LF.
      if (lf !== -1 && (crlf === -1 || lf < crlf + 1)) return finish(null);
      if (crlf === -1) {
        if (received.length > MAX_SECRET_LINE_BYTES) finish(null);
        return;
      }
      if (crlf > MAX_SECRET_LINE_BYTES) return finish(null);
      const secret = received.subarray(0, crlf).toString('latin1');
      if (!PRINTABLE_ASCII_WITHOUT_SPACE.test(secret)) return finish(null);
      finish({ secret, rest: received.subarray(crlf + CRLF.length) });
    };
    const timer = setTimeout(onGone, timeoutMs);
    socket.on('data', onData);
    socket.on('end', onGone);
    socket.on('close', onGone);
    socket.on('error', onGone);
  });
}
