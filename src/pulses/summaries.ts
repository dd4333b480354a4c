// The exact pulse summaries of CONTRACT §5. Other systems match on these strings: do not reword.

export type BuildStatus = 'pending' | 'succeeded' | 'failed';

export const buildSummary = (appName: string, status: BuildStatus) => `[Heroku][Build] ${appName} ${status}`;

export const releaseSummary = (description: string) => `[Heroku][Release] ${description}`;

// Kinds added by issue 21 (README "Kinds of change"), in the same `[Heroku][Kind] app …` style.
// `?` stands for a "before" that neither Heroku's previous_data nor an earlier event told us.

export const configSummary = (appName: string, change: string) => `[Heroku][Config] ${appName}: ${change}`;

export const scalingSummary = (appName: string, processType: string, quantity: Transition<number>, size: Transition<string>) =>
  `[Heroku][Scaling] ${appName} ${processType} ${transition(quantity)} (${transition(size)})`;

export const addonSummary = (appName: string, change: string) => `[Heroku][Add-on] ${appName} ${change}`;

export const maintenanceSummary = (appName: string, on: boolean) => `[Heroku][Maintenance] ${appName} ${on ? 'on' : 'off'}`;

export const renameSummary = (from: string, to: string) => `[Heroku][Rename] ${from} → ${to}`;

export interface Transition<T> {
  before: T | null;
  after: T;
}

/** `1 → 3`, `? → 3`, or just `3` when nothing changed. */
export const transition = <T>(t: Transition<T>): string =>
  t.before === null ? `? → ${String(t.after)}` : t.before === t.after ? String(t.after) : `${String(t.before)} → ${String(t.after)}`;
