import { ApplicationFailure } from '@temporalio/common';
import { MissingOAuthClientError } from '../deps';
import { HerokuApiError } from '../../heroku/client';
import { ReconnectNeededError } from '../../heroku/integration-tokens';
import { scrubTokens } from '../../log';

/**
 * A Heroku problem as a Temporal failure: worth retrying (429, 5xx, network, the 409 Heroku gives
 * right after a deploy), or not (unknown app, no access, invalid params, integration needing a
 * reconnect) with Heroku's own words in the message.
 */
export function herokuFailure(err: unknown, doing: string): unknown {
  if (err instanceof ReconnectNeededError || err instanceof MissingOAuthClientError) {
    return ApplicationFailure.nonRetryable(`${doing}: ${err.message}`, err.name);
  }
  if (!(err instanceof HerokuApiError)) return err;
  const message = scrubTokens(`${doing}: Heroku answered ${err.status} ${err.id}: ${err.herokuMessage}`);
  return err.retryable || err.status === 409
    ? ApplicationFailure.retryable(message, 'HerokuUnavailable')
    : ApplicationFailure.nonRetryable(message, 'HerokuRefused');
}

/** Runs a Heroku call, turning its failure into the right Temporal failure. */
export async function onHeroku<T>(doing: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw herokuFailure(err, doing);
  }
}
