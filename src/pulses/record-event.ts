import { randomUUID } from 'node:crypto';
import type { Db } from '../db/knex';
import { queryPrepared } from './prepared-query';
import type { HerokuEnvelope } from './heroku-event';
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

/** What recordEvent stores for an accepted delivery: the ids its envelope carries, the exact body, what it means. */
export function recordEventInput(delivery: {
  integrationId: string;
  appName: string;
  sealedSecret: string;
  envelope: HerokuEnvelope;
  rawBody: Buffer;
  interpreted: InterpretedEvent;
}): RecordEventInput {
  const { envelope } = delivery;
  return {
    integrationId: delivery.integrationId,
    appName: delivery.appName,
    verifiedWithSealedSecret: delivery.sealedSecret,
    eventId: envelope.id,
    resource: envelope.resource,
    action: envelope.action,
    webhookId: envelope.webhook_metadata.webhook.id,
    deliveryId: envelope.webhook_metadata.delivery.id,
    rawBody: delivery.rawBody,
    interpreted: delivery.interpreted,
  };
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
  const [result] = await recordEvents(db, [input]);
  if (!result) throw new Error('recordEvent: no result row');
  return result;
}

/**
 * recordEvent for several events in ONE statement and one transaction (group commit: see
 * EventRecorder), one result per input, in order. The inputs must not share an event id, business
 * key or pulse key of the same integration (a result could not tell which of them was stored).
 * When PostgreSQL refuses one payload, the whole statement stores nothing and throws
 * UnstorablePayloadError.
 */
export async function recordEvents(db: Db, inputs: readonly RecordEventInput[]): Promise<RecordEventResult[]> {
  const { statement, values } = recordEventsQuery(inputs);
  let rows: ResultRow[];
  try {
    rows = await queryPrepared<ResultRow>(db, statement, values);
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
  const byRow = new Map(rows.map((r) => [r.n, r]));
  return inputs.map((_, i): RecordEventResult => {
    const row = byRow.get(i + 1);
    if (!row) throw new Error('recordEvents: a result row is missing');
    if (!row.target_current) return { outcome: 'target_changed' };
    return {
      outcome: 'recorded',
      stored: row.stored,
      pulseId: row.new_pulse_id ?? row.existing_pulse_id,
      commitPending: (row.new_pulse_id !== null ? row.new_commit_pending : row.existing_commit_pending) === true,
    };
  });
}

/** The statement recordEvents runs for `inputs` and its parameters (also what the ingest benchmark EXPLAINs). */
export function recordEventsQuery(inputs: readonly RecordEventInput[]): { statement: { name: string; text: string }; values: unknown[] } {
  const values: unknown[] = [];
  for (const input of inputs) values.push(...rowValues(input));
  return { statement: recordEventsStatement(inputs.length), values };
}

/** One row of the statement's `input` (see COLUMNS), after its row number. */
function rowValues(input: RecordEventInput): unknown[] {
  const pulse = input.interpreted.pulse;
  return [
    input.integrationId,
    input.appName,
    input.verifiedWithSealedSecret,
    input.eventId,
    input.resource,
    input.action,
    input.interpreted.businessKey,
    input.webhookId,
    input.deliveryId,
    input.rawBody.toString('utf8'),
    pulse !== null,
    randomUUID(),
    pulse?.dedupeKey ?? null,
    pulse?.kind ?? null,
    pulse?.summary ?? null,
    JSON.stringify(pulse?.labels ?? {}),
    JSON.stringify(pulse?.data ?? {}),
    pulse?.startedAt ?? null,
    pulse?.endedAt ?? null,
    pulse ? (pulse.endedAt ?? pulse.startedAt) : null,
    pulse?.commitLookup != null,
  ];
}

interface ResultRow {
  n: number;
  target_current: boolean;
  stored: boolean;
  new_pulse_id: string | null;
  new_commit_pending: boolean | null;
  existing_pulse_id: string | null;
  existing_commit_pending: boolean | null;
}

/** The `input` columns and their types, in the order of rowValues. */
const COLUMNS: [string, string][] = [
  ['integration_id', 'uuid'],
  ['app_name', 'text'],
  ['sealed_secret', 'text'],
  ['event_id', 'text'],
  ['resource', 'text'],
  ['action', 'text'],
  ['business_key', 'text'],
  ['webhook_id', 'text'],
  ['delivery_id', 'text'],
  ['payload', 'jsonb'],
  ['has_pulse', 'boolean'],
  ['pulse_id', 'uuid'],
  ['dedupe_key', 'text'],
  ['kind', 'text'],
  ['summary', 'text'],
  ['labels', 'jsonb'],
  ['data', 'jsonb'],
  ['started_at', 'timestamptz'],
  ['ended_at', 'timestamptz'],
  ['occurred_at', 'timestamptz'],
  ['commit_pending', 'boolean'],
];

/** The largest group recordEvents takes (PostgreSQL allows 65 535 parameters; 21 per event). */
export const MAX_EVENTS_PER_STATEMENT = 64;

const statements = new Map<number, { name: string; text: string }>();

/** The statement for `count` events, a named prepared statement (parsed and planned once per connection and size). */
function recordEventsStatement(count: number): { name: string; text: string } {
  if (count < 1 || count > MAX_EVENTS_PER_STATEMENT) throw new Error(`recordEvents: ${count} events in one statement (1..${MAX_EVENTS_PER_STATEMENT})`);
  let statement = statements.get(count);
  if (!statement) {
    const rows = Array.from({ length: count }, (_, i) => `(${i + 1}, ${COLUMNS.map(([, type], c) => `$${i * COLUMNS.length + c + 1}::${type}`).join(', ')})`);
    statement = { name: `dynopulse_record_events_v1_${count}`, text: recordEventsSql(rows.join(',\n  ')) };
    statements.set(count, statement);
  }
  return statement;
}

// Every data-modifying CTE runs to completion even when the final SELECT does not read it. The
// existing pulse is read from the statement's snapshot: it tells a redelivery whether the commit
// lookup is still pending. Rows are matched back to their input by (integration, event id) and
// by the fresh pulse id, unambiguous because a group never shares those keys (recordEvents).
const recordEventsSql = (rows: string) => `
with input (n, ${COLUMNS.map(([name]) => name).join(', ')}) as (
  values
  ${rows}
), target as (
  select input.n, i.org_id, i.watched_kinds from input
  join integrations i on i.id = input.integration_id and i.status <> 'disconnected'
  join integration_apps a on a.integration_id = i.id and a.app_name = input.app_name
    and a.desired and a.webhook_secret_sealed = input.sealed_secret
), event as (
  insert into heroku_webhook_events
    (integration_id, event_id, org_id, app_name, resource, action, business_key, webhook_id, delivery_id, payload)
  select input.integration_id, input.event_id, target.org_id, input.app_name, input.resource,
    input.action, input.business_key, input.webhook_id, input.delivery_id, input.payload
  from input join target on target.n = input.n
  on conflict do nothing
  returning integration_id, event_id, org_id
), pulse as (
  insert into pulses
    (id, org_id, integration_id, app_name, dedupe_key, source, kind, summary, labels, data,
     started_at, ended_at, occurred_at, event_id, commit_pending)
  select input.pulse_id, event.org_id, input.integration_id, input.app_name,
    input.dedupe_key, 'heroku', input.kind, input.summary, input.labels, input.data,
    input.started_at, input.ended_at, input.occurred_at, input.event_id, input.commit_pending
  from input
  join event on event.integration_id = input.integration_id and event.event_id = input.event_id
  join target on target.n = input.n
  -- An unwatched kind's event is recorded without its pulse.
  where input.has_pulse and input.kind = any(target.watched_kinds)
  on conflict (integration_id, dedupe_key) do nothing
  returning id, org_id, app_name, commit_pending
), links as (
  insert into pulse_services (pulse_id, service_id)
  select pulse.id, s.id from pulse join services s on s.org_id = pulse.org_id and s.heroku_app_name = pulse.app_name
)
select input.n, target.n is not null as target_current,
  exists (select 1 from event e where e.integration_id = input.integration_id and e.event_id = input.event_id) as stored,
  np.id as new_pulse_id, np.commit_pending as new_commit_pending,
  ep.id as existing_pulse_id, ep.commit_pending as existing_commit_pending
from input
left join target on target.n = input.n
left join pulse as np on np.id = input.pulse_id
left join pulses as ep on ep.integration_id = input.integration_id and ep.dedupe_key = input.dedupe_key
`;
