/** Block size of the shift table: two bytes (64 K entries). */
const BLOCK = 2;
/** Shifts are stored in a byte; longer patterns just jump less far than they could. */
const MAX_SHIFT = 255;
const blockAt = (bytes: Uint8Array, i: number) => (bytes[i - 1] << 8) | bytes[i];

/**
 * Finds every occurrence of several byte strings in one pass (Wu-Manber: a shift table over
 * two-byte blocks lets the scan jump ahead by up to the shortest pattern's length). Command
 * output is scanned for every config var value of the app, so one pass instead of one `indexOf`
 * per value is most of the redactor's cost (bench: run-command). Output stays bytes, so this
 * reads a Buffer and never builds a string.
 */
export class MultiByteSearch {
  private readonly shortest: number;
  private readonly shift: Uint8Array | undefined;
  /** Patterns by the block ending at byte `shortest - 1` of the pattern. */
  private readonly byTailBlock = new Map<number, Buffer[]>();

  constructor(private readonly patterns: readonly Buffer[]) {
    this.shortest = patterns.length === 0 ? 0 : Math.min(...patterns.map((p) => p.length));
    if (this.shortest < BLOCK) return; // too short for blocks: indexOf per pattern
    const m = this.shortest;
    const shift = new Uint8Array(1 << 16).fill(Math.min(MAX_SHIFT, m - BLOCK + 1));
    for (const p of patterns) {
      for (let j = BLOCK - 1; j < m; j++) shift[blockAt(p, j)] = Math.min(shift[blockAt(p, j)], m - 1 - j);
      const tail = blockAt(p, m - 1);
      this.byTailBlock.set(tail, [...(this.byTailBlock.get(tail) ?? []), p]);
    }
    this.shift = shift;
  }

  /** Calls `found(start, pattern)` for every occurrence of every pattern, overlapping ones included. */
  forEachMatch(bytes: Buffer, found: (start: number, pattern: Buffer) => void): void {
    if (this.patterns.length === 0) return;
    const shift = this.shift;
    if (!shift) {
      for (const p of this.patterns) for (let at = bytes.indexOf(p); at !== -1; at = bytes.indexOf(p, at + 1)) found(at, p);
      return;
    }
    const m = this.shortest;
    for (let i = m - 1; i < bytes.length; ) {
      const block = blockAt(bytes, i);
      const step = shift[block];
      if (step > 0) {
        i += step;
        continue;
      }
      const start = i - m + 1;
      for (const p of this.byTailBlock.get(block) ?? []) if (startsWithAt(bytes, p, start)) found(start, p);
      i++;
    }
  }
}

function startsWithAt(bytes: Uint8Array, pattern: Uint8Array, start: number): boolean {
  if (start + pattern.length > bytes.length) return false;
  for (let k = 0; k < pattern.length; k++) if (bytes[start + k] !== pattern[k]) return false;
  return true;
}
