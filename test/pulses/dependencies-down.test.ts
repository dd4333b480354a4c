import assert from 'node:assert/strict';
import { Client, Connection } from '@temporalio/client';
import { after, before, describe, it } from 'mocha';
import { createApi } from '../../src/api/app';
import { createDb, type Db } from '../../src/db/knex';
import { createDataConverter } from '../../src/temporal/data-converter';
import type { DeploySummary } from '../simulators/heroku';
import { serve } from '../support/api-client';
import { connectIntegration } from '../support/fixtures';
import { startStack, type Stack } from '../support/stack';
import { TcpProxy } from './tcp-proxy';
import { assertAllAccepted, eventually, freshEventFrom, pulsesOf, rawBodyOf, storedCounts, storedEventIds, uniqueName } from './support';

/**
 * "Nothing accepted is lost": one dynopulse API reaches PostgreSQL and Temporal through proxies
 * the test cuts, so only this API loses them (the harness database and server stay up for
 * everything else, including the checks made here).
 */
describe('Webhook deliveries while PostgreSQL or Temporal is down', () => {
  let stack: Stack;
  let pgProxy: TcpProxy;
  let temporalProxy: TcpProxy;
  let db: Db;
  let temporal: Client;
  let api: { url: string; close(): Promise<void> };
  /** The stack as seen by fixtures, with webhooks pointing at the proxied API. */
  let viaProxies: Stack;

  before(async () => {
    // Heroku retries `sync` deliveries for 72 hours; here: quickly and for long enough.
    stack = await startStack({ heroku: { webhookRetry: { maxAttempts: 100_000, baseDelayMs: 20, maxDelayMs: 200 } } });
    const pgUrl = new URL(stack.h.databaseUrl);
    pgProxy = await TcpProxy.start({ host: pgUrl.hostname, port: Number(pgUrl.port || 5432) });
    pgUrl.host = pgProxy.address;
    db = createDb(pgUrl.toString(), { logger: stack.h.logger });
    const [temporalHost, temporalPort] = stack.h.temporalAddress.split(':');
    temporalProxy = await TcpProxy.start({ host: temporalHost ?? '127.0.0.1', port: Number(temporalPort) });
    temporal = new Client({
      connection: await Connection.connect({ address: temporalProxy.address }),
      namespace: stack.h.namespace,
      dataConverter: createDataConverter(stack.h.encryptionKey),
    });
    api = await serve(createApi({ config: stack.config, db, temporal, box: stack.h.box, logger: stack.h.logger }));
    viaProxies = { ...stack, config: { ...stack.config, publicUrl: api.url } };
  });
  after(async () => {
    await api.close();
    await db.destroy();
    await temporal.connection.close();
    await pgProxy.close();
    await temporalProxy.close();
    await stack.close();
  });

  const attemptsOf = (deploy: DeploySummary) => stack.heroku.deliveries.filter((d) => deploy.eventIds.includes(d.eventId)).flatMap((d) => d.attempts);

  it('PostgreSQL unavailable: 503 with Retry-After, nothing stored; the retried deliveries are stored once', async () => {
    const app = uniqueName('pgdown');
    const integration = await connectIntegration(viaProxies, { apps: [app] });
    const secret = integration.webhooks.get(app)?.secret ?? '';
    await db.raw('select 1'); // a pooled connection that the outage kills too

    pgProxy.cut();
    let deploy: DeploySummary;
    try {
      deploy = await stack.heroku.deploy(app);
      await eventually('a delivery answered 503', async () => (attemptsOf(deploy).some((a) => a.responseStatus === 503) ? true : undefined));
      const direct = await stack.heroku.sendSigned(`${api.url}/webhooks/heroku/${integration.integrationId}`, secret, freshEventFrom(rawBodyOf(stack.heroku, deploy.eventIds[0] ?? '')));
      assert.equal(direct.status, 503);
      assert.equal(direct.headers['retry-after'], '5');
      assert.equal((JSON.parse(direct.body) as { error: { code: string } }).error.code, 'unavailable');
      assert.deepEqual(await storedCounts(stack.h.db, integration.integrationId), { events: 0, pulses: 0 });
    } finally {
      pgProxy.restore();
    }

    await stack.heroku.waitForDeliveriesSettled();
    assertAllAccepted(stack.heroku, deploy.eventIds);
    assert.ok(attemptsOf(deploy).filter((a) => a.responseStatus === 503).length >= 1);
    assert.deepEqual(await storedEventIds(stack.h.db, integration.integrationId), [...deploy.eventIds].sort());
    const pulses = await pulsesOf(stack, { orgId: integration.orgId });
    assert.deepEqual(pulses.map((p) => p.summary).sort(), [`[Heroku][Build] ${app} pending`, `[Heroku][Build] ${app} succeeded`, `[Heroku][Release] Deploy ${deploy.commit.slice(0, 8)}`]);
  });

  it('Temporal unavailable when a release needs its commit looked up: 503 until the lookup is queued, then one pulse with the commit', async () => {
    const app = uniqueName('tdown');
    const integration = await connectIntegration(viaProxies, { apps: [app] });
    const finalEventOf = (d: DeploySummary) => d.events.find((e) => e.include === 'api:release' && e.current === true)?.id;

    temporalProxy.cut();
    let deploy: DeploySummary;
    try {
      deploy = await stack.heroku.deploy(app, { omitSlugCommit: true });
      const finalEvent = finalEventOf(deploy);
      await eventually('the final release delivery answered 503', async () =>
        stack.heroku.deliveries.some((d) => d.eventId === finalEvent && d.attempts.some((a) => a.responseStatus === 503)) ? true : undefined,
      );
    } finally {
      temporalProxy.restore();
    }

    await stack.heroku.waitForDeliveriesSettled();
    assertAllAccepted(stack.heroku, deploy.eventIds);
    // Deliveries that needed no workflow were accepted at once: the outage only held back the one that did.
    for (const d of stack.heroku.deliveries.filter((x) => deploy.eventIds.includes(x.eventId) && x.eventId !== finalEventOf(deploy))) {
      assert.deepEqual(
        d.attempts.map((a) => a.responseStatus),
        [200],
      );
    }
    const release = await eventually('the release pulse has its commit', async () => {
      const found = (await pulsesOf(stack, { orgId: integration.orgId })).find((p) => p.summary.startsWith('[Heroku][Release]'));
      return found?.data['commit'] ? found : undefined;
    });
    assert.equal(release.data['commit'], deploy.commit);
    assert.deepEqual(await storedCounts(stack.h.db, integration.integrationId), { events: 4, pulses: 3 });
  });
});
