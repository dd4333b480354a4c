import { StringDecoder } from 'node:string_decoder';
import { ExitStatusFilter } from './exit-status';

/**
 * Turns the raw bytes after the Rendezvous handshake into the command's output text: NULs that
 * some clients saw right after the handshake are dropped (heroku.md §7 pitfalls), UTF-8 is decoded
 * across chunk boundaries, and the exit-status marker is taken out.
 */
export class RendezvousOutputDecoder {
  private readonly utf8 = new StringDecoder('utf8');
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
    return this.exitStatus.push(this.utf8.write(bytes));
  }

  end(): { text: string; exitCode: number | null } {
    const text = this.exitStatus.push(this.utf8.end());
    const last = this.exitStatus.end();
    return { text: text + last.text, exitCode: last.exitCode };
  }
}
