import { ExitStatusFilter } from './exit-status';

/**
 * Turns the raw bytes after the Rendezvous handshake into the command's output, as a byte string
 * (latin1: one character per byte, so no byte is re-encoded on its way to storage and invalid
 * UTF-8 survives as printed): NULs that some clients saw right after the handshake are dropped
 * (heroku.md §7 pitfalls), and the exit-status marker is taken out.
 */
export class RendezvousOutputDecoder {
  private readonly exitStatus = new ExitStatusFilter();
  private started = false;

  push(chunk: Buffer): string {
    let bytes = chunk;
    if (!this.started) {
      let first = 0;
      while (first < bytes.length && bytes[first] === 0) first++;
      bytes = bytes.subarray(first);
      if (bytes.length === 0) return '';
      this.started = true;
    }
    return this.exitStatus.push(bytes.toString('latin1'));
  }

  end(): { text: string; exitCode: number | null } {
    return this.exitStatus.end();
  }
}

/** A byte string (latin1) of `text`'s UTF-8 bytes: how a config var value appears in output bytes. */
export const asByteString = (text: string) => Buffer.from(text, 'utf8').toString('latin1');
