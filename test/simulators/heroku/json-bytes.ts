// How the simulated sender lays out the JSON bytes of a webhook body.
//
// The signature covers the raw bytes (heroku.md §4.2), so whitespace is part of what is signed.
// heroku.md §8 reports that verifying over `JSON.stringify(req.body)` "never matches" against
// real Heroku: the real bytes are not what JSON.stringify produces. The default `spaced` layout
// (a space after every ":" and ",") reproduces that property, so a receiver that re-serialises
// the parsed body fails here as it would in production. The exact real layout is not documented.

export type JsonLayout = 'spaced' | 'compact' | 'pretty';

/** Serialises `value` (plain JSON data, key order preserved) in the given layout. */
export function serializeJson(value: unknown, layout: JsonLayout): string {
  if (layout === 'compact') return JSON.stringify(value);
  if (layout === 'pretty') return JSON.stringify(value, null, 2);
  return spaced(value);
}

function spaced(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    // Primitives (strings, numbers, booleans) use JSON's own escaping.
    return JSON.stringify(value) ?? 'null';
  }
  if (Array.isArray(value)) return `[${value.map((v) => spaced(v === undefined ? null : v)).join(', ')}]`;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}: ${spaced(v)}`).join(', ')}}`;
}
