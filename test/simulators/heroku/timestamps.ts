// Timestamp formats seen in real Heroku payloads. They differ by resource and by field
// (heroku.md §4.3 "created_at, updated_at"), which is exactly what a sloppy parser trips over.

/** `2025-05-17T11:37:58Z`: API resources, `data.*_at` and `published_at` (§4.3, §5). */
export function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** `2025-05-17T11:38:03+00:00`: the envelope timestamps of build events (§4.3, REAL-BUILD, ZULIP). */
export function isoOffset(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

/**
 * `2025-05-17T11:37:58.404020Z`: the envelope timestamps of release events (§4.3, ZULIP).
 * JavaScript clocks stop at milliseconds; `extraMicros` (0..999) supplies the last three digits
 * so that created_at and updated_at differ by a few microseconds like in the captures.
 */
export function isoMicros(date: Date, extraMicros = 0): string {
  const micros = String(Math.min(999, Math.max(0, Math.trunc(extraMicros)))).padStart(3, '0');
  return date.toISOString().replace(/\.(\d{3})Z$/, `.$1${micros}Z`);
}
