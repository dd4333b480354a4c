import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'mocha';
import type { ChangeRow } from '../../src/changes/change-view';
import { getChange } from '../../src/changes/list-changes';
import { offeredTargets, rollbackOffer } from '../../src/changes/rollback-offer';
import { connectIntegration, type ConnectedIntegration } from '../support/fixtures';
import { startStack, type Stack } from '../support/stack';
import { recordHandMadeChange } from './support';

/**
 * Which releases the console offers to roll back to, and why not: exactly those a newer recorded
 * release names as its `rollbackTarget` (GET /api/changes), with a reason for every other change.
 */
describe('rollback offer of the console (releases a rollback may go to)', () => {
  let stack: Stack;
  let integration: ConnectedIntegration;
  const APP = 'offer-app';
  const ids: Record<string, string> = {};
  const releaseIds: Record<string, string> = {};

  before(async () => {
    stack = await startStack({ inProcessWorker: false });
    integration = await connectIntegration(stack, { apps: [APP] });
    const t0 = Date.now() - 3600_000;
    // v3 ok; v4 failed; v5 ok but Heroku said not eligible; v6 ok (the newest).
    const releases: [number, string, Record<string, unknown>][] = [
      [3, 'succeeded', {}],
      [4, 'failed', {}],
      [5, 'succeeded', { eligible_for_rollback: false }],
      [6, 'succeeded', {}],
    ];
    for (const [version, status, payloadData] of releases) {
      releaseIds[`v${version}`] = randomUUID();
      ids[`v${version}`] = await recordHandMadeChange(stack, integration, APP, {
        kind: 'release',
        resource: 'release',
        summary: `[Heroku][Release] Deploy v${version}`,
        data: { releaseId: releaseIds[`v${version}`], version, status, appId: 'app-id-1' },
        payloadData,
        at: new Date(t0 + version * 60_000),
      });
    }
    ids['build'] = await recordHandMadeChange(stack, integration, APP, { kind: 'build', summary: `[Heroku][Build] ${APP} succeeded`, data: { status: 'succeeded' }, at: new Date(t0) });
  });
  after(() => stack.close());

  const offer = (key: string) => rollbackOffer(stack.h.db, integration.orgId, ids[key] as string);

  it('offers a succeeded, eligible release with a newer one, naming the app, the current version and the integration', async () => {
    const answer = await offer('v3');
    assert.ok(answer.ok, JSON.stringify(answer));
    assert.deepEqual(answer.offer, {
      changeId: ids['v3'],
      integrationId: integration.integrationId,
      app: APP,
      targetReleaseId: releaseIds['v3'],
      targetVersion: 3,
      summary: '[Heroku][Release] Deploy v3',
      current: { releaseId: releaseIds['v6'], version: 6 },
    });
  });

  it('says why every other change is refused', async () => {
    const refused = async (key: string) => {
      const answer = await offer(key);
      assert.ok(!answer.ok, `${key} must not be offered`);
      return [answer.status, answer.reason];
    };
    assert.deepEqual(await refused('v4'), [400, `Release v4 of ${APP} failed: Heroku cannot roll back to it.`]);
    assert.deepEqual(await refused('v5'), [400, `Release v5 of ${APP} is not eligible for rollback (Heroku said so, or the release after it was not recorded).`]);
    assert.deepEqual(await refused('v6'), [400, `Release v6 of ${APP} is the newest release recorded for the app (its current release): there is nothing to roll back from.`]);
    assert.deepEqual(await refused('build'), [400, 'This change is not a Heroku release (it is a build change): only releases can be rolled back to.']);
    const unknown = await rollbackOffer(stack.h.db, integration.orgId, randomUUID());
    assert.deepEqual(unknown, { ok: false, status: 404, reason: 'There is no such change in this org.' });
    const otherOrg = await rollbackOffer(stack.h.db, 'another-org', ids['v3'] as string);
    assert.equal(otherOrg.ok, false, 'another org sees nothing');
  });

  it('agrees with GET /api/changes: the offered releases are exactly the rollbackTargets', async () => {
    const res = await stack.api(`/api/changes?orgId=${integration.orgId}&app=${APP}`);
    const changes = (await res.json()) as { rollbackTarget: string | null }[];
    const targets = new Set(changes.map((c) => c.rollbackTarget).filter((t) => t !== null));
    const rows = (await Promise.all(Object.values(ids).map((id) => getChange(stack.h.db, integration.orgId, id)))) as ChangeRow[];
    assert.deepEqual([...(await offeredTargets(stack.h.db, integration.orgId, rows))], [...targets]);
    assert.deepEqual([...targets], [releaseIds['v3']]);
  });
});
