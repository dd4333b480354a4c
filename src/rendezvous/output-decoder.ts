import { ExitStatusFilter } from './exit-status';

/**
 * Turns the raw bytes after the Rendezvous handshake into the command's output, as bytes (never
 * re-encoded on their way to storage, so invalid UTF-8 survives as printed): NULs that some
 * clients saw right after the handshake are dropped (heroku.md §7 pitfalls), and the exit-status
 * marker is taken out.
 */
export class RendezvousOutputDecoder {
  private readonly exitStatus = new ExitStatusFilter();
  private started = false;

  /** `chunk` is only read during the call (what is held back is copied); the result may share its memory. */
  push(chunk: Buffer): Buffer {
    let bytes = chunk;
    if (!this.started) {
      let first = 0;
      while (first < bytes.length && bytes[first] === 0) first++;
      bytes = bytes.subarray(first);
      if (bytes.length === 0) return bytes;
      this.started = true;
    }
    return this.exitStatus.push(bytes);
  }

  end(): { bytes: Buffer; exitCode: number | null } {
    return this.exitStatus.end();
  }
}
