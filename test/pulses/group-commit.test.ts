import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'mocha';
import { EventRecorder } from '../../src/pulses/event-recorder';
import { parseHerokuEvent } from '../../src/pulses/heroku-event';
import { interpretEvent } from '../../src/pulses/pulse-from-event';
import { UnstorablePayloadError, type RecordEventInput, type RecordEventResult } from '../../src/pulses/record-event';
import { signWebhookBody } from '../simulators/heroku';
import { connectIntegration, type ConnectedIntegration } from '../support/fixtures';
import { startStack, type Stack } from '../support/stack';
import { freshEventFrom, rawBodyOf, storedCounts, uniqueName, webhookUrl } from './support';

type Body = Record<string, unknown>;

/**
 * Group commit (src/pulses/event-recorder.ts): deliveries that arrive while a statement runs are
 * stored together by the next one. Each must still get its own answer, as if stored alone.
 */
describe('webhook ingest: group commit of concurrent deliveries', () => {
  let stack: Stack;
  let integration: ConnectedIntegration;
  let app: string;
  let secret: string;
  let sealed: string;
  let serviceId: string;
  /** A delivered build-pending event: fresh copies are realistic, never-seen events. */
  let template: Buffer;

  before(async () => {
    stack = await startStack();
    app = uniqueName('group');
    integration = await connectIntegration(stack, { apps: [app] });
    secret = integration.webhooks.get(app)?.secret ?? '';
    serviceId = `svc-${randomUUID().slice(0, 8)}`;
    await stack.h.db('services').insert({ id: serviceId, org_id: integration.orgId, name: 'group service', heroku_app_name: app });
    const row = (await stack.h.db('integration_apps').where({ integration_id: integration.integrationId, app_name: app }).first('webhook_secret_sealed')) as { webhook_secret_sealed: string };
    sealed = row.webhook_secret_sealed;
    const deploy = await stack.heroku.deploy(app, { fail: true });
    await stack.heroku.waitForDeliveriesSettled();
    template = rawBodyOf(stack.heroku, deploy.eventIds[0] ?? '');
  });
  after(async () => {
    await stack.close();
  });

  /** A never-seen build (new event id and build id). */
  const freshBuild = (change: (b: Body) => void = () => undefined) =>
    freshEventFrom(template, (b) => {
      (b['data'] as Body)['id'] = randomUUID();
      change(b);
    });

  /** What the receiver hands the recorder for these bytes. */
  function inputFor(body: Body, verifiedWithSealedSecret = sealed): RecordEventInput {
    const rawBody = Buffer.from(JSON.stringify(body));
    const event = parseHerokuEvent(JSON.parse(rawBody.toString('utf8')));
    const { envelope } = event;
    return {
      integrationId: integration.integrationId,
      appName: app,
      verifiedWithSealedSecret,
      eventId: envelope.id,
      resource: envelope.resource,
      action: envelope.action,
      webhookId: envelope.webhook_metadata.webhook.id,
      deliveryId: envelope.webhook_metadata.delivery.id,
      rawBody,
      interpreted: interpretEvent(event, new Date()),
    };
  }

  const recorded = (r: PromiseSettledResult<RecordEventResult> | undefined) => {
    assert.equal(r?.status, 'fulfilled', r?.status === 'rejected' ? String(r.reason) : '');
    const value = (r as PromiseFulfilledResult<RecordEventResult>).value;
    assert.equal(value.outcome, 'recorded');
    return value as Extract<RecordEventResult, { outcome: 'recorded' }>;
  };

  /** received_at is the transaction's start (now()): events stored by one statement share it. */
  async function receivedAtOf(eventIds: string[]): Promise<Map<string, string>> {
    const rows = (await stack.h.db('heroku_webhook_events')
      .where({ integration_id: integration.integrationId })
      .whereIn('event_id', eventIds)
      .select('event_id', stack.h.db.raw(`to_char(received_at, 'YYYY-MM-DD HH24:MI:SS.US') as at`))) as { event_id: string; at: string }[];
    return new Map(rows.map((r) => [r.event_id, r.at]));
  }

  it('deliveries arriving while a statement runs share the next statement; redeliveries among them are answered with the original pulse', async () => {
    const before = await storedCounts(stack.h.db, integration.integrationId);
    const recorder = new EventRecorder(stack.h.db, { maxInFlight: 1, maxGroup: 32 });
    const first = freshBuild();
    const group = Array.from({ length: 10 }, () => freshBuild());
    // The same event again (Heroku's retry), and a copy under a new event id (same build and state).
    const retry = group[3] as Body;
    const copy = freshEventFrom(Buffer.from(JSON.stringify(group[5])));
    const bodies = [first, ...group, retry, copy];
    const results = await Promise.allSettled(bodies.map((b) => recorder.record(inputFor(b))));

    const answers = results.map(recorded);
    const [firstAnswer, ...rest] = answers;
    assert.equal(firstAnswer?.stored, true);
    const groupAnswers = rest.slice(0, group.length);
    for (const a of groupAnswers) {
      assert.equal(a.stored, true);
      assert.ok(a.pulseId);
    }
    assert.equal(new Set(groupAnswers.map((a) => a.pulseId)).size, group.length, 'one pulse each');
    const [retryAnswer, copyAnswer] = rest.slice(group.length);
    assert.deepEqual(retryAnswer, { outcome: 'recorded', stored: false, pulseId: groupAnswers[3]?.pulseId, commitPending: false });
    assert.deepEqual(copyAnswer, { outcome: 'recorded', stored: false, pulseId: groupAnswers[5]?.pulseId, commitPending: false });

    const after = await storedCounts(stack.h.db, integration.integrationId);
    assert.deepEqual(after, { events: before.events + 1 + group.length, pulses: before.pulses + 1 + group.length });
    // The ten were stored by one statement (one transaction), the first by one of its own.
    const at = await receivedAtOf([first, ...group].map((b) => b['id'] as string));
    assert.equal(new Set(group.map((b) => at.get(b['id'] as string))).size, 1, 'the group shares one transaction');
    assert.notEqual(at.get(first['id'] as string), at.get(group[0]?.['id'] as string));
    // Every new pulse is linked to the app's service.
    const linked = await stack.h.db('pulse_services').whereIn('pulse_id', answers.map((a) => a.pulseId ?? '')).where({ service_id: serviceId }).count({ n: '*' });
    assert.equal(Number((linked as { n: string }[])[0]?.n), 1 + group.length);
  });

  it('a payload PostgreSQL refuses fails alone (400 for that delivery); the rest of its group is stored', async () => {
    const before = await storedCounts(stack.h.db, integration.integrationId);
    const recorder = new EventRecorder(stack.h.db, { maxInFlight: 1, maxGroup: 32 });
    const bad = freshBuild((b) => ((b['data'] as Body)['note'] = 'a\u0000b'));
    const bodies = [freshBuild(), freshBuild(), bad, freshBuild(), freshBuild()];
    const results = await Promise.allSettled(bodies.map((b) => recorder.record(inputFor(b))));
    const refused = results[2];
    assert.equal(refused?.status, 'rejected');
    assert.ok((refused as PromiseRejectedResult).reason instanceof UnstorablePayloadError);
    for (const i of [0, 1, 3, 4]) assert.equal(recorded(results[i]).stored, true);
    assert.deepEqual(await storedCounts(stack.h.db, integration.integrationId), { events: before.events + 4, pulses: before.pulses + 4 });
  });

  it('an event verified with a secret that is no longer current is not stored; the others of its group are', async () => {
    const before = await storedCounts(stack.h.db, integration.integrationId);
    const recorder = new EventRecorder(stack.h.db, { maxInFlight: 1, maxGroup: 32 });
    const inputs = [inputFor(freshBuild()), inputFor(freshBuild()), inputFor(freshBuild(), 'a-sealed-secret-since-rotated'), inputFor(freshBuild())];
    const results = await Promise.allSettled(inputs.map((i) => recorder.record(i)));
    assert.deepEqual((results[2] as PromiseFulfilledResult<RecordEventResult>).value, { outcome: 'target_changed' });
    for (const i of [0, 1, 3]) assert.equal(recorded(results[i]).stored, true);
    assert.deepEqual(await storedCounts(stack.h.db, integration.integrationId), { events: before.events + 3, pulses: before.pulses + 3 });
  });

  it('over HTTP: a burst of signed deliveries, each sent twice at once, is stored once each; every pair is answered with one pulse', async () => {
    const before = await storedCounts(stack.h.db, integration.integrationId);
    const url = webhookUrl(stack, integration.integrationId);
    const bodies = Array.from({ length: 24 }, () => JSON.stringify(freshBuild()));
    const post = async (raw: string) => {
      const res = await fetch(url, { method: 'POST', body: raw, headers: { 'content-type': 'application/json', 'heroku-webhook-hmac-sha256': signWebhookBody(secret, raw) } });
      return { status: res.status, body: (await res.json()) as { duplicate: boolean; pulseId: string | null } };
    };
    const answers = await Promise.all([...bodies, ...bodies].map(post));
    for (const a of answers) assert.equal(a.status, 200, JSON.stringify(a.body));
    bodies.forEach((_, i) => {
      const pair = [answers[i], answers[i + bodies.length]];
      assert.deepEqual(pair.map((a) => a?.body.duplicate).sort(), [false, true], 'one of the pair stored it');
      assert.ok(pair[0]?.body.pulseId);
      assert.equal(pair[0]?.body.pulseId, pair[1]?.body.pulseId, 'both answered with the one pulse');
    });
    assert.deepEqual(await storedCounts(stack.h.db, integration.integrationId), { events: before.events + bodies.length, pulses: before.pulses + bodies.length });
  });
});
