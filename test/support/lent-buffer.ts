/**
 * Hands bytes over as the Rendezvous reader does (src/rendezvous/client.ts): in one reused
 * buffer that is overwritten after each call. A component that keeps a view of what it was lent,
 * instead of a copy, then sees garbage and its tests fail.
 */
export class LentBuffer {
  private buffer = Buffer.alloc(1024);

  /** Calls `take` with a lent copy of `bytes`; returns its result copied out before the buffer is scribbled over. */
  lend(bytes: Buffer, take: (lent: Buffer) => Buffer): Buffer {
    if (bytes.length > this.buffer.length) this.buffer = Buffer.alloc(bytes.length * 2);
    bytes.copy(this.buffer);
    const result = Buffer.from(take(this.buffer.subarray(0, bytes.length)));
    this.buffer.fill(0xaa);
    return result;
  }
}
