import { quoteShellWord } from '../templates/shell-quote';

// Rendezvous carries no exit status (heroku.md §7.7). Like `heroku run --exit-code`, the command
// prints a marker line with `$?` at the end, and the reader takes it out of the output again.
// Output is bytes; U+FFFF of the marker is its UTF-8 bytes EF BF BF.

const MARKER = Buffer.from('\uFFFF heroku-command-exit-status: ', 'utf8');
const MARK_FIRST_BYTE = 0xef;
const MAX_DIGITS = 3;
const CR = 0x0d;
const LF = 0x0a;
const EMPTY = Buffer.alloc(0);

/**
 * `command` runs in a child `bash -c`, so an `exit`, `set -e` or `set -u` inside it ends only
 * that shell, and the outer shell still reports its status (heroku.md §7 pitfalls). The marker is
 * written with printf's octal escapes (U+FFFF is EF BF BF), keeping the command line ASCII.
 */
export function reportingExitStatus(command: string): string {
  return `bash -c ${quoteShellWord(command)}; ${PRINT_EXIT_STATUS}`;
}

/** Prints the marker line with the status of the command before it. */
export const PRINT_EXIT_STATUS = `printf '\\357\\277\\277 heroku-command-exit-status: %s\\n' "$?"`;

/**
 * Finds the exit-status marker in output, even split across chunks (by holding back a possible
 * marker beginning), and removes it. Output could print a marker-looking line itself, so only the
 * last marker of the stream counts; an earlier one is given back as ordinary output. Output
 * without an EF byte (nearly all of it) passes through without a copy.
 */
export class ExitStatusFilter {
  private pending: Buffer = EMPTY;
  private candidate: { bytes: Buffer; exitCode: number } | null = null;
  private out: Buffer[] = [];

  /**
   * `chunk` is only read during the call (a reused read buffer is fine): what is held back is
   * copied. The result may share memory with `chunk`.
   */
  push(chunk: Buffer): Buffer {
    const data = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    this.pending = EMPTY;
    for (let from = 0; from < data.length; ) {
      const at = data.indexOf(MARK_FIRST_BYTE, from);
      if (at === -1) {
        this.emit(data, from, data.length);
        break;
      }
      this.emit(data, from, at);
      const marker = readMarker(data, at);
      if (marker === 'incomplete') {
        this.pending = Buffer.from(data.subarray(at)); // a marker may be arriving: wait for the rest of the line (a copy: `chunk` is lent)
        break;
      }
      if (marker === 'none') {
        this.emit(data, at, at + 1); // an EF byte that starts no marker
        from = at + 1;
      } else {
        this.setCandidate(data.subarray(at, marker.end), marker.exitCode);
        from = marker.end;
      }
    }
    return this.take();
  }

  /** The end of the stream: what was held back, and the exit status if the last thing printed was the marker. */
  end(): { bytes: Buffer; exitCode: number | null } {
    const exitCode = markerAtEnd(this.pending);
    if (exitCode !== null) this.setCandidate(this.pending, exitCode);
    else this.emit(this.pending, 0, this.pending.length);
    this.pending = EMPTY;
    const last = this.candidate?.exitCode ?? null;
    this.candidate = null;
    return { bytes: this.take(), exitCode: last };
  }

  private emit(data: Buffer, start: number, end: number): void {
    if (start === end) return;
    if (this.candidate) {
      this.out.push(this.candidate.bytes); // output followed it: it was not the final marker
      this.candidate = null;
    }
    this.out.push(start === 0 && end === data.length ? data : data.subarray(start, end));
  }

  private setCandidate(bytes: Buffer, exitCode: number): void {
    if (this.candidate) this.out.push(this.candidate.bytes);
    this.candidate = { bytes: Buffer.from(bytes), exitCode };
  }

  private take(): Buffer {
    const out = this.out;
    this.out = [];
    return out.length === 1 ? (out[0] ?? EMPTY) : Buffer.concat(out);
  }
}

/**
 * Reads a marker line (MARKER, 1 to 3 digits, CR?, LF) at `at`: where it ends and the status,
 * 'incomplete' if the bytes so far could still become one, 'none' if they cannot.
 */
function readMarker(data: Buffer, at: number): { end: number; exitCode: number } | 'incomplete' | 'none' {
  const available = Math.min(MARKER.length, data.length - at);
  if (data.compare(MARKER, 0, available, at, at + available) !== 0) return 'none';
  if (available < MARKER.length) return 'incomplete';
  const digitsAt = at + MARKER.length;
  let i = digitsAt;
  while (i < data.length && i - digitsAt <= MAX_DIGITS && isDigit(data[i])) i++;
  const digits = i - digitsAt;
  if (digits > MAX_DIGITS) return 'none';
  if (i === data.length) return 'incomplete';
  if (digits === 0) return 'none';
  if (data[i] === CR && ++i === data.length) return 'incomplete';
  if (data[i] !== LF) return 'none';
  return { end: i + 1, exitCode: Number(data.toString('latin1', digitsAt, digitsAt + digits)) };
}

/** The status if `bytes` is exactly a marker line missing its LF (the stream ended right after it). */
function markerAtEnd(bytes: Buffer): number | null {
  if (bytes.length <= MARKER.length || bytes.compare(MARKER, 0, MARKER.length, 0, MARKER.length) !== 0) return null;
  const digitsEnd = bytes[bytes.length - 1] === CR ? bytes.length - 1 : bytes.length;
  const digits = bytes.subarray(MARKER.length, digitsEnd);
  if (digits.length < 1 || digits.length > MAX_DIGITS || !digits.every(isDigit)) return null;
  return Number(digits.toString('latin1'));
}

function isDigit(byte: number | undefined): boolean {
  return byte !== undefined && byte >= 0x30 && byte <= 0x39;
}
