import { Context } from '@temporalio/activity';

/** How often a running activity heartbeats (the worker sends them on at most every 3 s). */
const HEARTBEAT_INTERVAL_MS = 2_000;

/**
 * Runs `fn` while heartbeating (with `details()` as progress, when given), so the server notices a
 * dead worker within the activity's heartbeat timeout instead of its whole start-to-close timeout,
 * and a cancellation (workflow, TTL cap, worker shutdown) reaches the activity. Cancelling does not
 * abort `fn` by itself: each activity decides what its steps in flight do with
 * `Context.current().cancellationSignal`.
 */
export async function heartbeating<T>(fn: () => Promise<T>, details?: () => unknown): Promise<T> {
  const ctx = Context.current();
  const beat = details ? () => ctx.heartbeat(details()) : () => ctx.heartbeat();
  beat();
  const timer = setInterval(beat, HEARTBEAT_INTERVAL_MS);
  try {
    return await fn();
  } finally {
    clearInterval(timer);
  }
}
