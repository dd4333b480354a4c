import type { Db } from '../../db/knex';
import type { HerokuEvent } from '../heroku-event';

/**
 * What we knew of a formation, add-on or app before this event: Heroku's `previous_data` is
 * documented but `{}` in real deliveries (heroku.md §4.3), so the "before" of a change comes from
 * the newest event of the same resource id stored earlier (ids survive app renames).
 */
export interface PriorState {
  /** `data` of that earlier event, or null when none is stored. */
  data: Record<string, unknown> | null;
  /** For `app` events: the name this integration monitors the app under (found by app id), if any. */
  monitoredName: string | null;
}

const NONE: PriorState = { data: null, monitoredName: null };

/** Earlier stored events read, newest first, to find one not newer than this event. */
const CANDIDATES = 20;

/** The resource whose earlier state this event's pulse needs: formations, add-ons and apps; builds and releases need none. */
function subjectOf(event: HerokuEvent): { id: string; updated_at?: Date | null | undefined } | null {
  return event.resource === 'formation' ? event.formation : event.resource === 'addon' ? event.addon : event.resource === 'app' ? event.app : null;
}

/** Whether priorStateOf would query: lets the webhook path skip it (and its promises) for builds and releases. */
export function needsPriorState(event: HerokuEvent): boolean {
  return subjectOf(event) !== null;
}

/** Looks up the prior state for the resources whose pulses need one; no query for the others. */
export async function priorStateOf(db: Db, integrationId: string, event: HerokuEvent): Promise<PriorState> {
  const subject = subjectOf(event);
  if (subject === null) return NONE;
  const rows = (await db('heroku_webhook_events')
    .where({ integration_id: integrationId, resource: event.resource })
    .andWhereRaw(`payload->'data'->>'id' = ?`, [subject.id])
    .andWhereNot('event_id', event.envelope.id)
    .orderBy('received_at', 'desc')
    .limit(CANDIDATES)
    .select(db.raw(`payload->'data' as data`))) as { data: Record<string, unknown> }[];
  // Deliveries can come out of order: an event that reports a later state is not "before" this one.
  const updatedAt = subject.updated_at?.getTime();
  const earlier = rows.find((r) => {
    const at = typeof r.data['updated_at'] === 'string' ? Date.parse(r.data['updated_at']) : NaN;
    return updatedAt === undefined || Number.isNaN(at) || at <= updatedAt;
  });
  return { data: earlier?.data ?? null, monitoredName: event.resource === 'app' ? await monitoredNameOf(db, integrationId, event.app.id) : null };
}

/** The watched app with this Heroku app id (recorded by the webhook sync), else the app the events with this app id were stored under. */
async function monitoredNameOf(db: Db, integrationId: string, appId: string): Promise<string | null> {
  const row = (await db('integration_apps').where({ integration_id: integrationId, heroku_app_id: appId, desired: true }).first('app_name')) as
    | { app_name: string }
    | undefined;
  if (row) return row.app_name;
  const seen = (await db('heroku_webhook_events')
    .where({ integration_id: integrationId })
    .andWhereRaw(`payload->'data'->'app'->>'id' = ?`, [appId])
    .orderBy('received_at', 'desc')
    .first('app_name')) as { app_name: string } | undefined;
  return seen?.app_name ?? null;
}

/** A field's value before the change: from `previous_data` (`current` when it lists other fields only), else from the prior stored state; null when unknown. */
export function before<T extends 'string' | 'number' | 'boolean'>(
  previous: Record<string, unknown> | null | undefined,
  prior: PriorState,
  read: (data: Record<string, unknown>) => unknown,
  type: T,
  current?: unknown,
): (T extends 'string' ? string : T extends 'number' ? number : boolean) | null {
  type Out = T extends 'string' ? string : T extends 'number' ? number : boolean;
  if (previous && Object.keys(previous).length > 0) {
    // previous_data holds the old values of the fields that changed: a field it leaves out did not change.
    const value = read(previous);
    if (typeof value === type) return value as Out;
    if (value === undefined && current !== undefined) return current as Out;
  }
  const value = prior.data ? read(prior.data) : undefined;
  return typeof value === type ? (value as Out) : null;
}
