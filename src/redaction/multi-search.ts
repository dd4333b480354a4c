/** Block size of the shift table: two characters, masked to a byte each (64 K entries). */
const BLOCK = 2;
const hashAt = (text: string, i: number) => ((text.charCodeAt(i - 1) & 0xff) << 8) | (text.charCodeAt(i) & 0xff);

/**
 * Finds every occurrence of several strings in one pass (Wu-Manber: a shift table over
 * two-character blocks lets the scan jump ahead by up to the shortest pattern's length). Command
 * output is scanned for every config var value of the app, so one pass instead of one `indexOf`
 * per value is most of the redactor's cost (bench: run-command). Masking characters to a byte
 * only makes the table a coarser filter: candidates are always confirmed with `startsWith`.
 */
export class MultiStringSearch {
  private readonly shortest: number;
  private readonly shift: Int32Array | undefined;
  /** Patterns by the hash of the block ending at position `shortest - 1` of the pattern. */
  private readonly byTailHash = new Map<number, string[]>();

  constructor(private readonly patterns: readonly string[]) {
    this.shortest = patterns.length === 0 ? 0 : Math.min(...patterns.map((p) => p.length));
    if (this.shortest < BLOCK) return; // too short for blocks: indexOf per pattern
    const m = this.shortest;
    const shift = new Int32Array(1 << 16).fill(m - BLOCK + 1);
    for (const p of patterns) {
      for (let j = BLOCK - 1; j < m; j++) shift[hashAt(p, j)] = Math.min(shift[hashAt(p, j)] ?? 0, m - 1 - j);
      const tail = hashAt(p, m - 1);
      this.byTailHash.set(tail, [...(this.byTailHash.get(tail) ?? []), p]);
    }
    this.shift = shift;
  }

  /** Calls `found(start, pattern)` for every occurrence of every pattern, overlapping ones included. */
  forEachMatch(text: string, found: (start: number, pattern: string) => void): void {
    if (this.patterns.length === 0) return;
    const shift = this.shift;
    if (!shift) {
      for (const p of this.patterns) for (let at = text.indexOf(p); at !== -1; at = text.indexOf(p, at + 1)) found(at, p);
      return;
    }
    const m = this.shortest;
    for (let i = m - 1; i < text.length; ) {
      const hash = hashAt(text, i);
      const step = shift[hash] ?? 1;
      if (step > 0) {
        i += step;
        continue;
      }
      const start = i - m + 1;
      for (const p of this.byTailHash.get(hash) ?? []) if (text.startsWith(p, start)) found(start, p);
      i++;
    }
  }
}
