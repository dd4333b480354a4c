import assert from 'node:assert/strict';
import { after, before, describe, it } from 'mocha';
import { connectIntegration } from '../support/fixtures';
import { startStack, type Stack } from '../support/stack';
import { assertAllAccepted, eventually, pulsesOf } from '../pulses/support';

describe('Pulses from a Fir deploy: the release commit comes from the OCI image (no slug)', () => {
  let stack: Stack;
  before(async () => (stack = await startStack()));
  after(async () => stack?.close());

  it('a Fir deploy makes build and release pulses whose commit is the one deployed', async function () {
    this.timeout(60_000);
    const integration = await connectIntegration(stack, { apps: [{ name: 'fir-pulses', generation: 'fir' }] });
    const deploy = await stack.heroku.deploy('fir-pulses', { commit: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678' });
    assert.equal(deploy.slugId, null, 'a Fir build has no slug');
    await stack.heroku.waitForDeliveriesSettled();
    assertAllAccepted(stack.heroku, deploy.eventIds);

    const release = await eventually('the release pulse has its commit', async () => {
      const found = (await pulsesOf(stack, { orgId: integration.orgId })).find((p) => p.summary.startsWith('[Heroku][Release] '));
      return found?.data['commit'] ? found : undefined;
    });
    assert.equal(release.summary, `[Heroku][Release] Deploy ${deploy.commit.slice(0, 8)}`);
    assert.equal(release.data['commit'], deploy.commit);
    const builds = (await pulsesOf(stack, { orgId: integration.orgId })).filter((p) => p.summary.startsWith('[Heroku][Build] '));
    assert.equal(builds.length, 2);
    for (const build of builds) assert.equal(build.data['commit'], deploy.commit);
    const lookups = stack.heroku.calls.filter((c) => c.method === 'GET' && /^\/apps\/fir-pulses\/(oci-images|slugs)\//.test(c.path));
    assert.ok(lookups.length >= 1 && lookups.every((c) => c.path.startsWith('/apps/fir-pulses/oci-images/') && c.status === 200), JSON.stringify(lookups.map((c) => c.path)));
  });
});
