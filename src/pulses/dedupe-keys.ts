// Business keys (heroku.md §4.5). Event ids dedupe Heroku's retries; these also absorb the copies
// Heroku re-sends under a new event id (release phase, Private Spaces), because they name the
// resource and the state the event reports rather than the event itself.

/** One per build state: `create` pending, then `update` succeeded or failed. */
export const buildStateKey = (buildId: string, status: string) => `build:${buildId}:${status}`;

/** One per release state; a release passes through 2–4 of them (create, release phase, final). */
export const releaseStateKey = (releaseId: string, action: string, status: string, current: boolean) =>
  `release:${releaseId}:${action}:${status}:${current ? 'current' : 'not-current'}`;

/** The one pulse of a release, whatever the number and order of its events. */
export const releasePulseKey = (releaseId: string) => `release:${releaseId}:deployed`;
