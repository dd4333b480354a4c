import { Drop } from 'liquidjs';

/** A template printed something that has no single shell word: a list or an object. */
export class UnquotableValueError extends Error {
  override name = 'UnquotableValueError';
}

/**
 * POSIX shell quoting of one template output: the value becomes a single, inert word
 * (`'…'`, with each `'` written as `'\''`), whatever it contains — `$(…)`, backticks, `;`, newlines.
 * nil prints as `''`. Lists and objects are refused so that a template says what it means
 * (`| join: " "` for one word, several `{{ }}` for several words).
 */
export function shellQuote(value: unknown): string {
  const plain = value instanceof Drop ? value.valueOf() : value;
  if (plain === null || plain === undefined) return "''";
  if (typeof plain === 'string' || typeof plain === 'number' || typeof plain === 'boolean' || typeof plain === 'bigint') {
    return quoteShellWord(String(plain));
  }
  const kind = Array.isArray(plain) ? 'a list' : 'an object';
  throw new UnquotableValueError(`cannot print ${kind} as a shell word: use | join: " " (or | json) to make it one string`);
}

/** `text` as one POSIX shell word: `'…'`, each `'` written as `'\''`. */
export function quoteShellWord(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}
