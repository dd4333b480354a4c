import assert from 'node:assert/strict';
import { after, before, describe, it } from 'mocha';
import type { DeploySummary } from '../simulators/heroku';
import { pulsesOf, storedEventIds, eventually } from '../pulses/support';
import type { ConnectedIntegration } from '../support/fixtures';
import { connectIntegration } from '../support/fixtures';
import { startFaultStack, type FaultStack } from './support/fault-stack';

const is2xx = (status: number | null) => status !== null && status >= 200 && status < 300;

describe('fault: PostgreSQL restarts while Heroku delivers webhooks', () => {
  let stack: FaultStack;
  let integration: ConnectedIntegration;
  before(async () => {
    // Heroku retries `sync` deliveries for 72 hours; here quickly, and for long enough.
    stack = await startFaultStack('postgres-restart-ingestion', { heroku: { webhookRetry: { maxAttempts: 100_000, baseDelayMs: 50, maxDelayMs: 500 } } });
    integration = await connectIntegration(stack, { apps: ['shop-web', 'shop-api'] });
  });
  after(async () => stack?.close());

  it('every delivery answered 2xx is stored, 503 while it is down, and after recovery one pulse per build and release', async () => {
    const deploys: DeploySummary[] = [];
    let sending = true;
    // Deploys keep coming during the whole scenario, alternating between the two apps.
    const sender = (async () => {
      for (let i = 0; sending; i++) {
        deploys.push(await stack.heroku.deploy(i % 2 === 0 ? 'shop-web' : 'shop-api'));
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const attempts = () => stack.heroku.deliveries.flatMap((d) => d.attempts);
    try {
      await eventually('two deploys stored before the restart', async () => ((await storedEventIds(stack.h.db, integration.integrationId)).length >= 8 ? true : undefined), 60_000);
      await stack.postgres.stop();
      const deploysAtStop = deploys.length;
      try {
        await eventually('deliveries answered 503 while PostgreSQL is down', async () =>
          attempts().filter((a) => a.responseStatus === 503).length >= 6 && deploys.length >= deploysAtStop + 2 ? true : undefined,
        );
      } finally {
        await stack.postgres.resume();
      }
      const deploysAtResume = deploys.length;
      await eventually('deploys after the restart', async () => (deploys.length >= deploysAtResume + 2 ? true : undefined));
    } finally {
      sending = false;
      await sender;
    }
    await stack.heroku.waitForDeliveriesSettled();

    const statuses = attempts().map((a) => a.responseStatus);
    assert.deepEqual(
      statuses.filter((s) => !is2xx(s) && s !== 503),
      [],
      'every attempt was answered, with 2xx or 503 (never a 500, never a dropped connection)',
    );
    const stored = new Set(await storedEventIds(stack.h.db, integration.integrationId));
    const accepted = stack.heroku.deliveries.filter((d) => d.attempts.some((a) => is2xx(a.responseStatus)));
    for (const d of accepted) assert.ok(stored.has(d.eventId), `delivery of ${d.include} event ${d.eventId} was answered 2xx, so it is stored`);
    const allEvents = deploys.flatMap((d) => d.eventIds);
    for (const d of stack.heroku.deliveries) assert.equal(d.status, 'succeeded', `every delivery ends accepted (${d.eventId})`);
    assert.deepEqual([...stored].sort(), [...allEvents].sort(), 'each event stored once, none missing, none extra');

    const pulses = await pulsesOf(stack, { orgId: integration.orgId });
    const expected = deploys.flatMap((d) => [`[Heroku][Build] ${d.appName} pending`, `[Heroku][Build] ${d.appName} succeeded`, `[Heroku][Release] Deploy ${d.commit.slice(0, 8)}`]);
    assert.deepEqual(pulses.map((p) => p.summary).sort(), expected.sort(), 'one pulse per build state and per release, no duplicate');
    const pulseEvents = (await stack.h.db('pulses').where({ integration_id: integration.integrationId }).select('event_id')) as { event_id: string }[];
    for (const p of pulseEvents) assert.ok(stored.has(p.event_id), `pulse from stored event ${p.event_id}`);

    const n503 = statuses.filter((s) => s === 503).length;
    console.log(
      `      end state: ${deploys.length} deploys (${allEvents.length} events); attempts ${statuses.length}: ${statuses.filter(is2xx).length} 2xx, ${n503} 503; ` +
        `stored events ${stored.size}; pulses ${pulses.length} (expected ${expected.length})`,
    );
  });
});
