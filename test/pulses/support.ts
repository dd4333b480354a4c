import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Db } from '../../src/db/knex';
import type { PulseView } from '../../src/pulses/list-pulses';
import type { DeliveryRecord, HerokuSimulator } from '../simulators/heroku';
import type { Stack } from '../support/stack';

/** A pulse as `GET /api/pulses` answers it (CONTRACT §3). */
export type PulseJson = PulseView;

export interface ApiPage<T> {
  status: number;
  items: T[];
  next: string | null;
}

/** `GET path` with the admin token, parsed, with the `rel="next"` URL of the Link header. */
export async function getPage<T>(stack: Stack, pathname: string): Promise<ApiPage<T>> {
  const res = await stack.api(pathname);
  const body = (await res.json()) as unknown;
  const link = res.headers.get('link');
  const next = link === null ? null : (/^<([^>]+)>; rel="next"$/.exec(link)?.[1] ?? null);
  assert.ok(link === null || next !== null, `malformed Link header ${link}`);
  return { status: res.status, items: res.status === 200 ? (body as T[]) : [], next };
}

export async function pulsesOf(stack: Stack, query: Record<string, string>): Promise<PulseJson[]> {
  const page = await getPage<PulseJson>(stack, `/api/pulses?${new URLSearchParams({ limit: '500', ...query }).toString()}`);
  assert.equal(page.status, 200);
  return page.items;
}

/** Stored rows of one integration: what "nothing is stored" and "stored once" are checked against. */
export async function storedCounts(db: Db, integrationId: string): Promise<{ events: number; pulses: number }> {
  const [events] = (await db('heroku_webhook_events').where({ integration_id: integrationId }).count({ n: '*' })) as { n: string }[];
  const [pulses] = (await db('pulses').where({ integration_id: integrationId }).count({ n: '*' })) as { n: string }[];
  return { events: Number(events?.n), pulses: Number(pulses?.n) };
}

export async function storedEventIds(db: Db, integrationId: string): Promise<string[]> {
  return ((await db('heroku_webhook_events').where({ integration_id: integrationId }).orderBy('event_id').select('event_id')) as { event_id: string }[]).map((r) => r.event_id);
}

export const webhookUrl = (stack: Stack, integrationId: string) => `${stack.apiUrl}/webhooks/heroku/${integrationId}`;

/** Deliveries of one app's events, in the order they were created. */
export function deliveriesOf(sim: HerokuSimulator, eventIds: readonly string[]): DeliveryRecord[] {
  return sim.deliveries.filter((d) => eventIds.includes(d.eventId));
}

/** Every delivery of these events ended accepted (2xx on its last attempt). */
export function assertAllAccepted(sim: HerokuSimulator, eventIds: readonly string[]): void {
  const deliveries = deliveriesOf(sim, eventIds);
  assert.ok(deliveries.length >= eventIds.length, 'every event was delivered');
  for (const d of deliveries) {
    const statuses = d.attempts.map((a) => a.responseStatus);
    assert.equal(d.status, 'succeeded', `delivery of ${d.include} event ${d.eventId} ended ${d.status}: ${statuses.join(',')}`);
  }
}

/** The exact bytes of the first attempt of the delivery of `eventId`. */
export function rawBodyOf(sim: HerokuSimulator, eventId: string): Buffer {
  const attempt = sim.deliveries.find((d) => d.eventId === eventId)?.attempts[0];
  assert.ok(attempt, `no delivery for event ${eventId}`);
  return attempt.rawBody;
}

/**
 * A new event (new event, delivery and attempt ids) with the content of a delivered one, optionally
 * changed: for hand-made requests that must not collide with what was already stored.
 */
export function freshEventFrom(raw: Buffer, change: (body: Record<string, unknown>) => void = () => undefined): Record<string, unknown> {
  const body = JSON.parse(raw.toString('utf8')) as Record<string, unknown> & { webhook_metadata: Record<string, { id: string }> };
  const eventId = randomUUID();
  body['id'] = eventId;
  body.webhook_metadata['event'] = { ...body.webhook_metadata['event'], id: eventId };
  body.webhook_metadata['delivery'] = { id: randomUUID() };
  body.webhook_metadata['attempt'] = { id: randomUUID() };
  change(body);
  return body;
}

/** Polls `probe` until it returns a value (not undefined), failing after `timeoutMs`. */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function putService(stack: Stack, id: string, body: Record<string, unknown>, query = ''): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await stack.api(`/api/services/${encodeURIComponent(id)}${query}`, { method: 'PUT', body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

export const uniqueName = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;
