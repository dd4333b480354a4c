// Output translation of a terminal: a dyno attached without `force_no_tty` runs in a TTY whose
// line discipline (ONLCR) turns every "\n" into "\r\n" (heroku.md §7.5). Like ONLCR, an existing
// "\r\n" becomes "\r\r\n": the translation does not look at the byte before.

const LF = 0x0a;
const CR = 0x0d;

/** Returns `chunk` with every LF preceded by a CR (the same buffer when it holds no LF). */
export function translateNewlinesForTty(chunk: Buffer): Buffer {
  let newlines = 0;
  for (let i = chunk.indexOf(LF); i !== -1; i = chunk.indexOf(LF, i + 1)) newlines++;
  if (newlines === 0) return chunk;
  const out = Buffer.allocUnsafe(chunk.length + newlines);
  let from = 0;
  let to = 0;
  for (let i = chunk.indexOf(LF); i !== -1; i = chunk.indexOf(LF, i + 1)) {
    to += chunk.copy(out, to, from, i);
    out[to++] = CR;
    out[to++] = LF;
    from = i + 1;
  }
  chunk.copy(out, to, from);
  return out;
}
