import { ApplicationFailure } from '@temporalio/common';
import { HerokuApiError, appPath, type HerokuClient } from '../../heroku/client';
import { herokuFailure } from '../command-run/failures';

/** The fields of a Platform API release a rollback needs (heroku.md §5.2). */
export interface HerokuRelease {
  id: string;
  version: number;
  description: string;
  status: string;
  current: boolean;
  eligible_for_rollback?: boolean;
  created_at: string;
}

/** How many of the newest releases are read to find the current one, or our rollback release. */
const NEWEST_PAGE = 100;

/** The app's newest releases, newest first (one page: `Range: version ..; order=desc, max=100`). */
export async function newestReleases(heroku: HerokuClient, appName: string): Promise<HerokuRelease[]> {
  const res = await heroku.request<HerokuRelease[]>('GET', `${appPath(appName)}/releases`, { headers: { Range: `version ..; order=desc, max=${NEWEST_PAGE}` } });
  return [...res.body].sort((a, b) => b.version - a.version);
}

/** One release by id or version; null when Heroku does not know it. */
export async function releaseOf(heroku: HerokuClient, appName: string, idOrVersion: string | number): Promise<HerokuRelease | null> {
  try {
    return await heroku.get<HerokuRelease>(`${appPath(appName)}/releases/${encodeURIComponent(String(idOrVersion))}`);
  } catch (err) {
    if (err instanceof HerokuApiError && err.status === 404 && err.id === 'not_found' && !/app/i.test(err.herokuMessage)) return null;
    throw err;
  }
}

/**
 * A Heroku failure in words a user acts on: the app gone, the token's scope too narrow, access
 * lost; 429/5xx stay retryable (Temporal retries the step, then the last message is the failure).
 */
export function rollbackHerokuFailure(err: unknown, doing: string, appName: string): unknown {
  if (err instanceof HerokuApiError) {
    if (err.status === 404 && /app/i.test(err.herokuMessage)) {
      return ApplicationFailure.nonRetryable(`${doing}: app ${appName} was not found on Heroku (destroyed or renamed?): Heroku answered 404 ${err.id}: ${err.herokuMessage}`, 'AppNotFound');
    }
    if (err.status === 403 && /scope/i.test(err.herokuMessage)) {
      return ApplicationFailure.nonRetryable(
        `${doing}: the integration's Heroku authorization does not allow it (a rollback needs the "write" scope or wider; reconnect the integration with that scope): Heroku answered 403 ${err.id}: ${err.herokuMessage}`,
        'InsufficientScope',
      );
    }
    if (err.status === 403) return ApplicationFailure.nonRetryable(`${doing}: no access to app ${appName}: Heroku answered 403 ${err.id}: ${err.herokuMessage}`, 'HerokuForbidden');
  }
  return herokuFailure(err, doing);
}

export async function onHerokuFor<T>(appName: string, doing: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw rollbackHerokuFailure(err, doing, appName);
  }
}
