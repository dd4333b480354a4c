import net from 'node:net';

/**
 * A client that talks HTTP/1.1 over a bare socket, to send what fetch() will not: oversized or
 * malformed heads, and heads or bodies trickled byte by byte (slow-loris).
 */
export interface RawConnection {
  /** Everything the server sent so far. */
  readonly received: () => string;
  /** Resolves when the server closed (or reset) the connection. */
  readonly closed: Promise<void>;
  readonly isClosed: () => boolean;
  write(data: string | Buffer): Promise<void>;
  /**
   * Writes `data` one byte every `intervalMs` until done or the server closes the connection;
   * resolves with the number of bytes written.
   */
  trickle(data: string, intervalMs: number): Promise<number>;
  destroy(): void;
}

export async function connect(port: number): Promise<RawConnection> {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const chunks: Buffer[] = [];
  let closed = false;
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.on('error', () => undefined); // a reset is one way of closing: `closed` reports it
  const closedPromise = new Promise<void>((resolve) =>
    socket.once('close', () => {
      closed = true;
      resolve();
    }),
  );
  return {
    received: () => Buffer.concat(chunks).toString('latin1'),
    closed: closedPromise,
    isClosed: () => closed,
    write: (data) =>
      new Promise<void>((resolve) => {
        if (closed || socket.destroyed) return resolve();
        socket.write(data, () => resolve());
      }),
    async trickle(data, intervalMs) {
      let written = 0;
      for (const byte of Buffer.from(data, 'latin1')) {
        if (closed || socket.destroyed) break;
        await new Promise<void>((resolve) => socket.write(Buffer.of(byte), () => resolve()));
        written += 1;
        await Promise.race([new Promise((resolve) => setTimeout(resolve, intervalMs)), closedPromise]);
      }
      return written;
    },
    destroy: () => socket.destroy(),
  };
}

/** The status code of the first response in `text` (raw HTTP), or undefined when none arrived. */
export function statusOf(text: string): number | undefined {
  const match = /^HTTP\/1\.1 (\d{3}) /.exec(text);
  return match ? Number(match[1]) : undefined;
}
