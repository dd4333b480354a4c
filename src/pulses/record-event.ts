import { randomUUID } from 'node:crypto';
import type { Db } from '../db/knex';
import type { InterpretedEvent } from './pulse-from-event';

export interface RecordEventInput {
  integrationId: string;
  appName: string;
  /**
   * The sealed webhook secret the signature was verified with. The event is stored only if it is
   * still the secret of a monitored app of a not-disconnected integration, checked in the same
   * statement, so a verification made with a cached secret is exactly as good as a fresh one.
   */
  verifiedWithSealedSecret: string;
  eventId: string;
  resource: string;
  action: string;
  webhookId: string;
  deliveryId: string;
  /** The exact body received (valid JSON), stored as the event's payload. */
  rawBody: Buffer;
  interpreted: InterpretedEvent;
}

export type RecordEventResult =
  /** The integration or app changed since the secret was read (disconnected, app removed, secret rotated): nothing stored. */
  | { outcome: 'target_changed' }
  | {
      outcome: 'recorded';
      /** false: this event (or another with the same business key) was stored before; nothing changed. */
      stored: boolean;
      /** The event's pulse, whether made now or by an earlier delivery; null for events without one. */
      pulseId: string | null;
      /** The pulse still waits for its commit (a lookup workflow must be running). */
      commitPending: boolean;
    };

/** PostgreSQL refused the payload bytes as jsonb (e.g. `\u0000`, a lone surrogate): the sender's fault. */
export class UnstorablePayloadError extends Error {
  override name = 'UnstorablePayloadError';
}

/**
 * Stores an accepted event, its pulse and the pulse's service links in ONE statement (one round
 * trip, one implicit transaction): either all of it is durable or none of it. Dedupe is done by
 * unique keys: the event id and the business key on the events, the pulse key on pulses (`on
 * conflict do nothing`), so retries, re-sent copies and concurrent deliveries change nothing.
 *
 * A pulse links to every service of the integration's org whose Heroku App Name equals the app
 * name exactly (`=` on text is case-sensitive); other orgs' services never match.
 */
export async function recordEvent(db: Db, input: RecordEventInput): Promise<RecordEventResult> {
  const pulse = input.interpreted.pulse;
  const bindings = {
    integrationId: input.integrationId,
    appName: input.appName,
    sealedSecret: input.verifiedWithSealedSecret,
    eventId: input.eventId,
    resource: input.resource,
    action: input.action,
    businessKey: input.interpreted.businessKey,
    webhookId: input.webhookId,
    deliveryId: input.deliveryId,
    payload: input.rawBody.toString('utf8'),
    hasPulse: pulse !== null,
    pulseId: randomUUID(),
    dedupeKey: pulse?.dedupeKey ?? null,
    kind: pulse?.kind ?? null,
    summary: pulse?.summary ?? null,
    labels: JSON.stringify(pulse?.labels ?? {}),
    data: JSON.stringify(pulse?.data ?? {}),
    startedAt: pulse?.startedAt ?? null,
    endedAt: pulse?.endedAt ?? null,
    occurredAt: pulse ? (pulse.endedAt ?? pulse.startedAt) : null,
    commitPending: pulse?.commitLookup != null,
  };
  let row: ResultRow | undefined;
  try {
    row = (await db.raw<{ rows: ResultRow[] }>(RECORD_EVENT_SQL, bindings)).rows[0];
  } catch (err) {
    // 22P02 invalid_text_representation, 22P05 untranslatable_character: jsonb rejects the text;
    // 22021 character_not_in_repertoire: NUL in a text column; 54001 statement_too_complex: JSON
    // nested deeper than jsonb's parser goes (~10 000 levels fit in far less than the 1 MB limit).
    const code = (err as { code?: unknown }).code;
    if (code === '22P02' || code === '22P05' || code === '22021' || code === '54001') {
      throw new UnstorablePayloadError('The body contains JSON that cannot be stored (e.g. \\u0000, a lone surrogate, or nesting too deep)');
    }
    throw err;
  }
  if (!row) throw new Error('recordEvent: no result row');
  if (!row.target_current) return { outcome: 'target_changed' };
  return {
    outcome: 'recorded',
    stored: row.stored,
    pulseId: row.new_pulse_id ?? row.existing_pulse_id,
    commitPending: (row.new_pulse_id !== null ? row.new_commit_pending : row.existing_commit_pending) === true,
  };
}

interface ResultRow {
  target_current: boolean;
  stored: boolean;
  new_pulse_id: string | null;
  new_commit_pending: boolean | null;
  existing_pulse_id: string | null;
  existing_commit_pending: boolean | null;
}

// Every data-modifying CTE runs to completion even when the final SELECT does not read it. The
// existing pulse is read from the statement's snapshot: it tells a redelivery whether the commit
// lookup is still pending.
const RECORD_EVENT_SQL = `
with target as (
  select i.org_id, i.watched_kinds from integrations i
  join integration_apps a on a.integration_id = i.id and a.app_name = :appName
  where i.id = :integrationId and i.status <> 'disconnected' and a.desired and a.webhook_secret_sealed = :sealedSecret
), event as (
  insert into heroku_webhook_events
    (integration_id, event_id, org_id, app_name, resource, action, business_key, webhook_id, delivery_id, payload)
  select cast(:integrationId as uuid), cast(:eventId as text), target.org_id, cast(:appName as text), cast(:resource as text),
    cast(:action as text), cast(:businessKey as text), cast(:webhookId as text), cast(:deliveryId as text), cast(:payload as jsonb)
  from target
  on conflict do nothing
  returning org_id
), pulse as (
  insert into pulses
    (id, org_id, integration_id, app_name, dedupe_key, source, kind, summary, labels, data,
     started_at, ended_at, occurred_at, event_id, commit_pending)
  select cast(:pulseId as uuid), event.org_id, cast(:integrationId as uuid), cast(:appName as text),
    cast(:dedupeKey as text), 'heroku', cast(:kind as text), cast(:summary as text), cast(:labels as jsonb), cast(:data as jsonb),
    cast(:startedAt as timestamptz), cast(:endedAt as timestamptz), cast(:occurredAt as timestamptz), cast(:eventId as text),
    cast(:commitPending as boolean)
  from event join target on true
  -- An unwatched kind's event is recorded without its pulse.
  where cast(:hasPulse as boolean) and cast(:kind as text) = any(target.watched_kinds)
  on conflict (integration_id, dedupe_key) do nothing
  returning id, org_id, commit_pending
), links as (
  insert into pulse_services (pulse_id, service_id)
  select pulse.id, s.id from pulse join services s on s.org_id = pulse.org_id and s.heroku_app_name = :appName
)
select exists (select 1 from target) as target_current, exists (select 1 from event) as stored,
  np.id as new_pulse_id, np.commit_pending as new_commit_pending,
  ep.id as existing_pulse_id, ep.commit_pending as existing_commit_pending
from (select 1) as one
left join pulse as np on true
left join pulses as ep on ep.integration_id = :integrationId and ep.dedupe_key = :dedupeKey
`;
