import type { Db } from '../db/knex';
import { webhookStoreGroupSize } from '../metrics/registry';
import { MAX_EVENTS_PER_STATEMENT, recordEvents, UnstorablePayloadError, type RecordEventInput, type RecordEventResult } from './record-event';

interface Pending {
  input: RecordEventInput;
  keys: string[];
  resolve(result: RecordEventResult): void;
  reject(err: unknown): void;
}

/**
 * Group commit for the webhook receiver: concurrent deliveries are stored by one recordEvents
 * statement (one round trip, one transaction, one WAL flush) instead of one each. Nothing waits
 * for a timer: while fewer than `maxInFlight` statements run, a delivery is sent at once; the
 * ones that arrive meanwhile go together in the next statement. Each caller is answered only when
 * the statement holding its event has committed, with its own result, so a 200 still means "its
 * event and pulse are durable".
 *
 * A group never holds two events with the same event id, business key or pulse key of one
 * integration, nor one of a group in flight (the later waits for the next group), so each result
 * is unambiguous. When PostgreSQL refuses a payload, the group is retried one event at a time, so
 * only that delivery fails (400); any other error fails every delivery of the group (503, Heroku
 * retries).
 */
export class EventRecorder {
  private readonly queue: Pending[] = [];
  private inFlight = 0;
  /** Keys of the events in statements not yet answered (no two in flight share one). */
  private readonly keysInFlight = new Set<string>();

  constructor(
    private readonly db: Db,
    private readonly options: { maxInFlight: number; maxGroup: number } = { maxInFlight: 2, maxGroup: 32 },
  ) {}

  record(input: RecordEventInput): Promise<RecordEventResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ input, keys: keysOf(input), resolve, reject });
      this.flush();
    });
  }

  private flush(): void {
    while (this.queue.length > 0 && this.inFlight < this.options.maxInFlight) {
      const group = this.takeGroup();
      if (group.length === 0) return; // all wait for a statement in flight with their keys
      this.inFlight += 1;
      for (const p of group) for (const k of p.keys) this.keysInFlight.add(k);
      void this.store(group).finally(() => {
        for (const p of group) for (const k of p.keys) this.keysInFlight.delete(k);
        this.inFlight -= 1;
        this.flush();
      });
    }
  }

  /**
   * The oldest pending deliveries whose keys collide neither with each other nor with a statement
   * in flight, up to maxGroup; the others stay queued, in order. A redelivery thus runs after the
   * original committed, and is answered with the original's pulse.
   */
  private takeGroup(): Pending[] {
    const max = Math.min(this.options.maxGroup, MAX_EVENTS_PER_STATEMENT);
    const group: Pending[] = [];
    const taken = new Set<string>();
    const rest: Pending[] = [];
    for (const pending of this.queue) {
      if (group.length < max && !pending.keys.some((k) => taken.has(k) || this.keysInFlight.has(k))) {
        group.push(pending);
        for (const k of pending.keys) taken.add(k);
      } else rest.push(pending);
    }
    this.queue.splice(0, this.queue.length, ...rest);
    return group;
  }

  private async store(group: Pending[]): Promise<void> {
    webhookStoreGroupSize.observe(group.length);
    try {
      const results = await recordEvents(this.db, group.map((p) => p.input));
      group.forEach((p, i) => {
        const result = results[i];
        if (result) p.resolve(result);
        else p.reject(new Error('EventRecorder: a result is missing'));
      });
    } catch (err) {
      if (err instanceof UnstorablePayloadError && group.length > 1) {
        // Nothing of the group was stored: find the refused payload(s) one at a time.
        for (const p of group) {
          try {
            const [result] = await recordEvents(this.db, [p.input]);
            if (result) p.resolve(result);
            else p.reject(new Error('EventRecorder: a result is missing'));
          } catch (one) {
            p.reject(one);
          }
        }
        return;
      }
      for (const p of group) p.reject(err);
    }
  }
}

// Integration ids are validated UUIDs: the first "/" ends them, so keys of different kinds cannot collide.
function keysOf(input: RecordEventInput): string[] {
  const keys = [`${input.integrationId}/event/${input.eventId}`];
  if (input.interpreted.businessKey !== null) keys.push(`${input.integrationId}/business/${input.interpreted.businessKey}`);
  const pulse = input.interpreted.pulse;
  if (pulse) keys.push(`${input.integrationId}/pulse/${pulse.dedupeKey}`);
  return keys;
}
