// Where a dyno's merged stdout/stderr goes: kept for assertions (unless the server runs with
// keepOutput: false) and, while a client is attached, written to its socket as raw bytes with no
// framing (heroku.md §7.5). Backpressure is end to end: a write that the socket does not accept
// holds the sink, the pipe from the process fills, and the process blocks in write(2) — as it would
// behind a slow real client — so the simulator's memory stays flat however much is streamed.
import { Writable } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { translateNewlinesForTty } from './tty-output';

/** How output bytes are put on the wire for one attached client. */
export interface WireOptions {
  /** TTY emulation: "\n" -> "\r\n" (heroku.md §7.5). */
  translateNewlines: boolean;
  /** Fault: at most this many bytes per socket write, each its own TLS record. */
  chunkSize?: number;
  /** Fault: destroy the socket once this many output bytes were written to it. */
  dropAfterBytes?: number;
}

/** Resolves once the socket can take more data, or is gone. */
function writable(socket: TLSSocket): Promise<void> {
  if (socket.destroyed || !socket.writableNeedDrain) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      socket.off('drain', done);
      socket.off('close', done);
      resolve();
    };
    socket.on('drain', done);
    socket.on('close', done);
  });
}

/** Resolves once `bytes` left this process (or the socket died trying). */
export function writeAndFlush(socket: TLSSocket, bytes: Buffer): Promise<void> {
  return new Promise((resolve) => {
    socket.write(bytes, () => resolve());
  });
}

export class DynoOutputSink extends Writable {
  private readonly kept: Buffer[] = [];
  private keptJoined: Buffer | null = null;
  private processBytes = 0;
  private socket: TLSSocket | null = null;
  private wire: WireOptions = { translateNewlines: false };
  private wireBytes = 0;

  constructor(
    /** Keep every byte for `output()`. */
    private readonly keepOutput: boolean,
    private readonly hooks: {
      /** Called right before the sink destroys the socket for the dropAfterBytes fault. */
      onFaultDrop: () => void;
      /** Called after every chunk the process wrote was counted (and kept). */
      onCaptured: () => void;
    },
    /**
     * Nothing goes to the socket before this resolves (the handshake line is out, or the client is
     * gone). Output is still read and kept meanwhile, so none is lost and waitForOutput works.
     */
    private readonly gate: Promise<void>,
  ) {
    super();
  }

  /** Starts sending output to an attached client (after the handshake and any leading NULs). */
  connect(socket: TLSSocket, wire: WireOptions): void {
    this.socket = socket;
    this.wire = wire;
  }

  /** The client is gone: keep capturing, stop sending. */
  disconnect(): void {
    this.socket = null;
  }

  /** Bytes the process wrote so far. */
  get bytesFromProcess(): number {
    return this.processBytes;
  }

  /** Everything the process wrote, untranslated. */
  output(): Buffer {
    if (!this.keepOutput) throw new Error('output is not kept: the RendezvousServer runs with keepOutput: false');
    this.keptJoined ??= Buffer.concat(this.kept);
    return this.keptJoined;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.processBytes += chunk.length;
    if (this.keepOutput) {
      this.kept.push(chunk);
      this.keptJoined = null;
    }
    this.hooks.onCaptured();
    this.gate.then(() => this.send(chunk)).then(() => callback(), callback);
  }

  private async send(chunk: Buffer): Promise<void> {
    const socket = this.socket;
    if (!socket || socket.destroyed) return;
    const { translateNewlines, chunkSize, dropAfterBytes } = this.wire;
    const bytes = translateNewlines ? translateNewlinesForTty(chunk) : chunk;
    const step = chunkSize !== undefined && chunkSize > 0 ? chunkSize : bytes.length;
    for (let offset = 0; offset < bytes.length; ) {
      if (this.socket !== socket || socket.destroyed) return;
      let piece = bytes.subarray(offset, offset + step);
      const budget = dropAfterBytes === undefined ? Infinity : dropAfterBytes - this.wireBytes;
      if (piece.length >= budget) {
        piece = piece.subarray(0, Math.max(0, budget));
        if (piece.length > 0) await writeAndFlush(socket, piece);
        this.wireBytes += piece.length;
        this.socket = null;
        this.hooks.onFaultDrop();
        socket.destroy();
        return;
      }
      offset += piece.length;
      this.wireBytes += piece.length;
      if (chunkSize !== undefined) {
        // Wait for each piece to leave: writes queued together would be coalesced into one TLS record.
        await writeAndFlush(socket, piece);
      } else if (!socket.write(piece)) {
        await writable(socket);
      }
    }
  }
}
