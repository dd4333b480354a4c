import * as wf from '@temporalio/workflow';
import type { Activities } from '../activities';
import { APP_CONCURRENCY, NON_RETRYABLE_INTEGRATION_ERRORS } from '../integrations/model';
import { IntegrationIdKey } from '../temporal/search-attributes';

// What InstallHerokuIntegration, SyncHerokuIntegrationApps and DisconnectHerokuIntegration share:
// activity options, the lifecycle lease, and the per-app webhook reconciliation.

const nonRetryableErrorTypes = NON_RETRYABLE_INTEGRATION_ERRORS;

/**
 * A cancelled workflow waits for its steps in flight to finish, so nothing changes Heroku after
 * it let go of the integration. Set explicitly: the SDK (1.24) sends an unset cancellationType as
 * TRY_CANCEL, whatever its documentation says about the default.
 */
const cancellationType = wf.ActivityCancellationType.WAIT_CANCELLATION_COMPLETED;

/** Short steps: PostgreSQL, or the one token-endpoint call of the install. */
export const shortActivities = wf.proxyActivities<Activities>({
  cancellationType,
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 10, nonRetryableErrorTypes },
});

/** Waiting for the lease is retrying its acquisition; bounded so that nothing waits forever. */
const leaseActivities = wf.proxyActivities<Activities>({
  cancellationType,
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '2 hours',
  retry: { initialInterval: '500ms', backoffCoefficient: 1.5, maximumInterval: '5s', nonRetryableErrorTypes },
});

/**
 * Steps that call Heroku. The client already retries 429/5xx a few times; Temporal retries the
 * whole step after that, boundedly. Heartbeats let a dead worker's step move on within 15 s.
 */
export function herokuActivities(summary: string) {
  return wf.proxyActivities<Activities>({
    summary,
    cancellationType,
    startToCloseTimeout: '2 minutes',
    heartbeatTimeout: '15 seconds',
    retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 8, nonRetryableErrorTypes },
  });
}

/** Sets the IntegrationId search attribute when the starter did not (e.g. a start from the CLI). */
export function tagWithIntegration(integrationId: string): void {
  if (wf.workflowInfo().typedSearchAttributes.get(IntegrationIdKey) === undefined) {
    wf.upsertSearchAttributes([{ key: IntegrationIdKey, value: integrationId }]);
  }
}

/** Runs `fn` holding the integration's lifecycle lease: install, sync and disconnect take turns. */
export async function withLifecycleLease<T>(integrationId: string, fn: () => Promise<T>): Promise<T> {
  const owner = { integrationId, workflowId: wf.workflowInfo().workflowId };
  try {
    wf.setCurrentDetails('Waiting for other operations on this integration to finish');
    await leaseActivities.acquireLifecycleLease(owner);
    return await fn();
  } finally {
    // Also after a cancellation or failure, or the next operation waits for a lease nobody holds.
    await wf.CancellationScope.nonCancellable(() => leaseActivities.releaseLifecycleLease(owner));
  }
}

/** The activity failed because the OAuth grant is dead: stop, an admin must reconnect. */
export function isReconnectNeeded(err: unknown): err is wf.ActivityFailure {
  return err instanceof wf.ActivityFailure && err.cause instanceof wf.ApplicationFailure && err.cause.type === 'ReconnectNeededError';
}

/** A readable, secret-free reason for a failed step (Heroku's message, a timeout, ...). */
export function reasonOf(err: unknown): string {
  if (err instanceof wf.ActivityFailure && err.cause) return err.cause.message;
  return err instanceof Error ? err.message : String(err);
}

export interface ReconcileTally {
  apps: number;
  active: number;
  errors: number;
  removed: number;
  notRemoved: number;
}

export function describeTally(t: ReconcileTally): string {
  return `${t.active} webhook(s) active, ${t.errors} app(s) in error, ${t.removed} removed, ${t.notRemoved} not removed`;
}

/**
 * Brings every app of the integration to its wanted state, APP_CONCURRENCY at a time: wanted
 * apps get exactly one webhook of ours, the others none. One app's failure is recorded on that
 * app and the rest go on; a dead grant or a cancellation stops everything (after the steps in
 * flight have finished, so nothing keeps changing Heroku behind our back).
 */
export async function reconcileApps(integrationId: string, label: string): Promise<ReconcileTally> {
  const apps = await shortActivities.listIntegrationApps({ integrationId });
  const tally: ReconcileTally = { apps: apps.length, active: 0, errors: 0, removed: 0, notRemoved: 0 };
  let done = 0;
  const report = () => wf.setCurrentDetails(`${label}: ${done}/${apps.length} apps done; ${describeTally(tally)}`);
  report();

  await forEachBounded(apps, APP_CONCURRENCY, async (app) => {
    const ref = { integrationId, appName: app.name };
    try {
      if (app.desired) {
        const outcome = await herokuActivities(`Sync the webhook of ${app.name}`).syncAppWebhook(ref);
        if (outcome === 'error') tally.errors++;
        else if (outcome !== 'skipped') tally.active++;
      } else {
        const outcome = await herokuActivities(`Delete our webhook from ${app.name}`).removeAppWebhook(ref);
        if (outcome === 'removed') tally.removed++;
        else if (outcome === 'failed') tally.notRemoved++;
      }
    } catch (err) {
      if (isReconnectNeeded(err) || wf.isCancellation(err)) throw err;
      // Retries spent (e.g. Heroku kept answering 5xx): say so on the app, go on with the others.
      await shortActivities.markAppFailed({ ...ref, message: reasonOf(err) });
      if (app.desired) tally.errors++;
      else tally.notRemoved++;
    }
    done++;
    report();
  });
  return tally;
}

/**
 * Runs `fn` over `items` with at most `limit` in flight (deterministic: plain promises). After a
 * failure no new item starts; the ones in flight are awaited, then the first failure is thrown.
 */
async function forEachBounded<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const lane = async () => {
    while (failure === undefined && next < items.length) {
      const item = items[next++] as T;
      try {
        await fn(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  if (failure) throw failure.error;
}
