// ISO 8601 durations for the "what changed before" window. Only units of fixed length are taken
// (weeks, days, hours, minutes, seconds): a month or a year has no fixed length, so `P1M` is
// refused rather than guessed. A day is 24 h (the window is counted in UTC).

const DURATION = /^P(?!$)(?:(\d{1,6})W)?(?:(\d{1,6})D)?(?:T(?!$)(?:(\d{1,6})H)?(?:(\d{1,6})M)?(?:(\d{1,9}(?:[.,]\d{1,3})?)S)?)?$/;

export const DEFAULT_WINDOW = 'PT24H';
export const MAX_WINDOW = 'P7D';
export const MAX_WINDOW_MS = 7 * 24 * 3600 * 1000;

export class WindowDurationError extends Error {
  override name = 'WindowDurationError';
}

/** Milliseconds of an ISO 8601 duration such as `PT24H`, `P1DT6H`, `PT90M`; throws WindowDurationError. */
export function durationMs(text: string): number {
  const m = DURATION.exec(text);
  if (!m) {
    throw new WindowDurationError(`window must be an ISO 8601 duration in weeks, days, hours, minutes or seconds (e.g. PT24H, P2D, PT90M); got ${JSON.stringify(text.slice(0, 40))}`);
  }
  const [, w, d, h, min, s] = m;
  const ms = ((Number(w ?? 0) * 7 + Number(d ?? 0)) * 24 * 3600 + Number(h ?? 0) * 3600 + Number(min ?? 0) * 60) * 1000 + Math.round(Number((s ?? '0').replace(',', '.')) * 1000);
  return ms;
}

/** The window in ms, checked to be more than zero and at most P7D. */
export function windowMs(text: string): number {
  const ms = durationMs(text);
  if (ms <= 0) throw new WindowDurationError('window must be longer than zero');
  if (ms > MAX_WINDOW_MS) throw new WindowDurationError(`window must be at most ${MAX_WINDOW} (7 days); got ${text}`);
  return ms;
}
