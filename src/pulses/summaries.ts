// The exact pulse summaries of CONTRACT §5. Other systems match on these strings: do not reword.

export type BuildStatus = 'pending' | 'succeeded' | 'failed';

export const buildSummary = (appName: string, status: BuildStatus) => `[Heroku][Build] ${appName} ${status}`;

export const releaseSummary = (description: string) => `[Heroku][Release] ${description}`;
