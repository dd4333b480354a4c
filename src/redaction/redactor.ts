import { MultiByteSearch } from './multi-search';
import { BEARER_PREFIX, mayContainToken, TOKEN_SOURCES, tokenPrefixLengthAtEnd } from './token-patterns';

export const REDACTED = '[REDACTED]';
const REDACTED_BYTES = Buffer.from(REDACTED);
/** Config var values shorter than this are too common ("true", "web") to be worth hiding. */
export const MIN_SECRET_LENGTH = 6;
/** Longer values are not matched (nobody prints a 64 KB value, and the stream would have to hold it back). */
const MAX_SECRET_LENGTH = 64 * 1024;

/** The config var values to hide: 6+ characters, longest first (so a longer value wins over its prefix). */
export function secretValuesOf(configVars: Record<string, string | null | undefined>): string[] {
  const values = new Set<string>();
  for (const value of Object.values(configVars)) {
    if (typeof value === 'string' && value.length >= MIN_SECRET_LENGTH && value.length <= MAX_SECRET_LENGTH) values.add(value);
  }
  return [...values].sort((a, b) => b.length - a.length);
}

/** A stretch of output to replace: overlapping matches are merged, so no part of a secret survives. */
interface Span {
  start: number;
  end: number;
}

/**
 * Removes an app's config var values and obvious tokens (token-patterns.ts) from command output.
 * Output is bytes (what the dyno printed, valid UTF-8 or not) and values are matched as their
 * UTF-8 bytes; as UTF-8 is self-synchronizing, a value found in valid UTF-8 starts and ends on
 * character boundaries. `redact` handles a whole text; `stream()` the same over chunks, holding
 * back only what could be the beginning of a secret split across chunks, so live output is not
 * delayed otherwise. Values are found in one pass over the bytes (multi-search.ts), tokens with a
 * regex over the chunk read as latin1 (one character per byte, so indexes are byte offsets), run
 * only on output that holds a token's fixed start.
 */
export class Redactor {
  private readonly tokens = new RegExp(TOKEN_SOURCES.join('|'), 'g');
  /** Values by first byte, to find a value's beginning at the end of a chunk quickly. */
  private readonly valuesByFirstByte: (Buffer[] | undefined)[] = [];
  private readonly longestValue: number;
  private readonly valueSearch: MultiByteSearch;

  constructor(secretValues: readonly string[]) {
    const values = [...new Set(secretValues)].filter((v) => v !== '').map((v) => Buffer.from(v, 'utf8'));
    for (const value of values) {
      const first = value[0];
      this.valuesByFirstByte[first] = [...(this.valuesByFirstByte[first] ?? []), value];
    }
    this.longestValue = Math.max(0, ...values.map((v) => v.length));
    this.valueSearch = new MultiByteSearch(values);
  }

  /** `text` with every secret and token replaced. */
  redact(text: string): string {
    return this.redactBytes(Buffer.from(text, 'utf8')).toString('utf8');
  }

  redactBytes(bytes: Buffer): Buffer {
    return this.replace(bytes, this.spans(bytes), bytes.length);
  }

  stream(): StreamRedactor {
    return new StreamRedactor(this);
  }

  /**
   * Splits `bytes` into what can be emitted now (redacted) and what must wait for more output:
   * a tail that could still grow into a secret, and any match that would straddle the cut.
   */
  splitForStreaming(bytes: Buffer): { ready: Buffer; held: Buffer } {
    let cut = bytes.length - this.heldBackLength(bytes);
    const spans = this.spans(bytes);
    const straddling = spans.find((span) => span.start < cut && span.end > cut);
    if (straddling) cut = straddling.start;
    return { ready: this.replace(bytes, spans, cut), held: bytes.subarray(cut) };
  }

  /** Every secret and token in `bytes`, sorted, overlaps merged. */
  private spans(bytes: Buffer): Span[] {
    const found: Span[] = [];
    this.valueSearch.forEachMatch(bytes, (start, value) => found.push({ start, end: start + value.length }));
    if (mayContainToken(bytes)) {
      const text = bytes.toString('latin1');
      this.tokens.lastIndex = 0;
      for (let m = this.tokens.exec(text); m !== null; m = this.tokens.exec(text)) {
        const bearer = BEARER_PREFIX.exec(m[0]);
        found.push({ start: m.index + (bearer ? bearer[0].length : 0), end: m.index + m[0].length });
      }
    }
    if (found.length <= 1) return found;
    found.sort((a, b) => a.start - b.start);
    const merged: Span[] = [];
    for (const span of found) {
      const last = merged[merged.length - 1];
      if (last && span.start < last.end) last.end = Math.max(last.end, span.end);
      else merged.push({ ...span });
    }
    return merged;
  }

  /** `bytes` up to `cut` with every span that ends by then replaced; no copy when there is none. */
  private replace(bytes: Buffer, spans: Span[], cut: number): Buffer {
    const pieces: Buffer[] = [];
    let at = 0;
    for (const span of spans) {
      if (span.end > cut) break;
      pieces.push(bytes.subarray(at, span.start), REDACTED_BYTES);
      at = span.end;
    }
    if (pieces.length === 0) return cut === bytes.length ? bytes : bytes.subarray(0, cut);
    pieces.push(bytes.subarray(at, cut));
    return Buffer.concat(pieces);
  }

  /** Length of the longest suffix of the output that is a proper prefix of a secret value or of a token. */
  private heldBackLength(bytes: Buffer): number {
    let held = tokenPrefixLengthAtEnd(bytes);
    const from = Math.max(0, bytes.length - this.longestValue + 1);
    for (let i = from; i < bytes.length - held; i++) {
      const candidates = this.valuesByFirstByte[bytes[i]];
      if (!candidates) continue;
      const rest = bytes.length - i;
      if (candidates.some((value) => value.length > rest && bytes.compare(value, 0, rest, i) === 0)) {
        held = rest;
        break;
      }
    }
    return held;
  }
}

const EMPTY = Buffer.alloc(0);

/** Redaction over a stream of output chunks; `end()` returns whatever was still held back. */
export class StreamRedactor {
  private held: Buffer = EMPTY;

  constructor(private readonly redactor: Redactor) {}

  /**
   * `chunk` is only read during the call (a reused read buffer is fine): what is held back is
   * copied. The result may share memory with `chunk`.
   */
  push(chunk: Buffer): Buffer {
    if (chunk.length === 0) return EMPTY;
    const { ready, held } = this.redactor.splitForStreaming(this.held.length === 0 ? chunk : Buffer.concat([this.held, chunk]));
    this.held = held.length === 0 ? EMPTY : Buffer.from(held);
    return ready;
  }

  end(): Buffer {
    const rest = this.redactor.redactBytes(this.held);
    this.held = EMPTY;
    return rest;
  }
}
