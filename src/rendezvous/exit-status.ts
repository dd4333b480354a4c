import { quoteShellWord } from '../templates/shell-quote';

// Rendezvous carries no exit status (heroku.md §7.7). Like `heroku run --exit-code`, the command
// prints a marker line with `$?` at the end, and the reader takes it out of the output again.
// Output is handled as byte strings (latin1: one character per byte), so U+FFFF is its UTF-8
// bytes EF BF BF here.

const MARK = '\xEF\xBF\xBF';
const MARKER_TEXT = `${MARK} heroku-command-exit-status: `;
const MARKER_LINE = /^\xEF\xBF\xBF heroku-command-exit-status: (\d{1,3})\r?\n/;
const MARKER_AT_END = /^\xEF\xBF\xBF heroku-command-exit-status: (\d{1,3})\r?$/;
const MARKER_PREFIX = /^\xEF\xBF\xBF heroku-command-exit-status: \d{0,3}\r?$/;

/**
 * `command` runs in a child `bash -c`, so an `exit`, `set -e` or `set -u` inside it ends only
 * that shell, and the outer shell still reports its status (heroku.md §7 pitfalls). The marker is
 * written with printf's octal escapes (U+FFFF is EF BF BF), keeping the command line ASCII.
 */
export function reportingExitStatus(command: string): string {
  return `bash -c ${quoteShellWord(command)}; printf '\\357\\277\\277 heroku-command-exit-status: %s\\n' "$?"`;
}

/**
 * Finds the exit-status marker in output (byte strings), even split across chunks (by holding
 * back a possible marker beginning), and removes it. Output could print a marker-looking line itself, so
 * only the last marker of the stream counts; an earlier one is given back as ordinary output.
 */
export class ExitStatusFilter {
  private pending = '';
  private candidate: { text: string; exitCode: number } | null = null;
  private out = '';

  push(text: string): string {
    let rest = this.pending + text;
    this.pending = '';
    while (rest !== '') {
      const at = rest.indexOf(MARK.charAt(0));
      if (at === -1) {
        this.emit(rest);
        break;
      }
      this.emit(rest.slice(0, at));
      rest = rest.slice(at);
      const marker = MARKER_LINE.exec(rest);
      if (marker) {
        this.setCandidate(marker[0], Number(marker[1]));
        rest = rest.slice(marker[0].length);
      } else if (rest.length < MARKER_TEXT.length ? MARKER_TEXT.startsWith(rest) : MARKER_PREFIX.test(rest)) {
        this.pending = rest; // a marker may be arriving: wait for the rest of the line
        break;
      } else {
        this.emit(rest.charAt(0)); // an EF byte that starts no marker
        rest = rest.slice(1);
      }
    }
    return this.take();
  }

  /** The end of the stream: what was held back, and the exit status if the last thing printed was the marker. */
  end(): { text: string; exitCode: number | null } {
    const marker = MARKER_AT_END.exec(this.pending);
    if (marker) this.setCandidate(this.pending, Number(marker[1]));
    else this.emit(this.pending);
    this.pending = '';
    const exitCode = this.candidate?.exitCode ?? null;
    this.candidate = null;
    return { text: this.take(), exitCode };
  }

  private emit(text: string): void {
    if (text === '') return;
    if (this.candidate) {
      this.out += this.candidate.text; // output followed it: it was not the final marker
      this.candidate = null;
    }
    this.out += text;
  }

  private setCandidate(text: string, exitCode: number): void {
    if (this.candidate) this.out += this.candidate.text;
    this.candidate = { text, exitCode };
  }

  private take(): string {
    const out = this.out;
    this.out = '';
    return out;
  }
}
