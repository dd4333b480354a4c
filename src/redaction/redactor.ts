import { MultiStringSearch } from './multi-search';
import { BEARER_PREFIX, MAX_TOKEN_PREFIX_LENGTH, TOKEN_PREFIX_AT_END, TOKEN_SOURCES } from './token-patterns';

export const REDACTED = '[REDACTED]';
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

/** A stretch of text to replace: overlapping matches are merged, so no part of a secret survives. */
interface Span {
  start: number;
  end: number;
}

/**
 * Removes an app's config var values and obvious tokens (token-patterns.ts) from command output.
 * `redact` handles a whole text; `stream()` the same over chunks, holding back only what could be
 * the beginning of a secret split across chunks, so live output is not delayed otherwise.
 * Values are found in one pass (multi-search.ts; much faster than one big alternation on V8, or
 * one indexOf per value), tokens with a regex.
 */
export class Redactor {
  private readonly values: string[];
  private readonly tokens = new RegExp(TOKEN_SOURCES.join('|'), 'g');
  /** Values by first character, to find a value's beginning at the end of a chunk quickly. */
  private readonly valuesByFirstChar = new Map<string, string[]>();
  private readonly longestValue: number;
  private readonly valueSearch: MultiStringSearch;

  constructor(secretValues: readonly string[]) {
    this.values = [...new Set(secretValues)].filter((v) => v !== '').sort((a, b) => b.length - a.length);
    for (const value of this.values) {
      const first = value.charAt(0);
      this.valuesByFirstChar.set(first, [...(this.valuesByFirstChar.get(first) ?? []), value]);
    }
    this.longestValue = this.values[0]?.length ?? 0;
    this.valueSearch = new MultiStringSearch(this.values);
  }

  redact(text: string): string {
    return this.replace(text, this.spans(text), text.length);
  }

  stream(): StreamRedactor {
    return new StreamRedactor(this);
  }

  /**
   * Splits `text` into what can be emitted now (redacted) and what must wait for more output:
   * a tail that could still grow into a secret, and any match that would straddle the cut.
   */
  splitForStreaming(text: string): { ready: string; held: string } {
    let cut = text.length - this.heldBackLength(text);
    const spans = this.spans(text);
    const straddling = spans.find((span) => span.start < cut && span.end > cut);
    if (straddling) cut = straddling.start;
    return { ready: this.replace(text, spans, cut), held: text.slice(cut) };
  }

  /** Every secret and token in `text`, sorted, overlaps merged. */
  private spans(text: string): Span[] {
    const found: Span[] = [];
    this.valueSearch.forEachMatch(text, (start, value) => found.push({ start, end: start + value.length }));
    this.tokens.lastIndex = 0;
    for (let m = this.tokens.exec(text); m !== null; m = this.tokens.exec(text)) {
      const bearer = BEARER_PREFIX.exec(m[0]);
      found.push({ start: m.index + (bearer ? bearer[0].length : 0), end: m.index + m[0].length });
    }
    found.sort((a, b) => a.start - b.start);
    const merged: Span[] = [];
    for (const span of found) {
      const last = merged[merged.length - 1];
      if (last && span.start < last.end) last.end = Math.max(last.end, span.end);
      else merged.push({ ...span });
    }
    return merged;
  }

  /** `text` up to `cut` with every span that ends by then replaced. */
  private replace(text: string, spans: Span[], cut: number): string {
    let out = '';
    let at = 0;
    for (const span of spans) {
      if (span.end > cut) break;
      out += text.slice(at, span.start) + REDACTED;
      at = span.end;
    }
    return out + text.slice(at, cut);
  }

  /** Length of the longest suffix of `text` that is a proper prefix of a secret value or of a token. */
  private heldBackLength(text: string): number {
    const token = TOKEN_PREFIX_AT_END.exec(text.length > MAX_TOKEN_PREFIX_LENGTH ? text.slice(-MAX_TOKEN_PREFIX_LENGTH) : text);
    let held = token ? token[0].length : 0;
    const from = Math.max(0, text.length - this.longestValue + 1);
    for (let i = from; i < text.length - held; i++) {
      const candidates = this.valuesByFirstChar.get(text.charAt(i));
      if (!candidates) continue;
      const rest = text.length - i;
      if (candidates.some((value) => value.length > rest && text.startsWith(value.slice(0, rest), i))) {
        held = rest;
        break;
      }
    }
    return held;
  }
}

/** Redaction over a stream of text chunks; `end()` returns whatever was still held back. */
export class StreamRedactor {
  private held = '';

  constructor(private readonly redactor: Redactor) {}

  push(text: string): string {
    if (text === '') return '';
    const { ready, held } = this.redactor.splitForStreaming(this.held + text);
    this.held = held;
    return ready;
  }

  end(): string {
    const rest = this.redactor.redact(this.held);
    this.held = '';
    return rest;
  }
}
