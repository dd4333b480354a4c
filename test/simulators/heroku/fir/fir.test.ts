import assert from 'node:assert/strict';
import https from 'node:https';
import { after, before, describe, it } from 'mocha';
import { connectInside, InsideAttachRefusedError, InsideAuthError } from '../../../../src/fir/inside-client';
import { generateSshKeyPair } from '../../../../src/fir/ssh-key-pair';
import type { HerokuSimulator } from '../heroku-simulator';
import { arr, callApi, obj, startSimulator } from '../test-support';

const RUN_INSIDE = 'application/vnd.heroku+json; version=3.run-inside';

describe('Heroku simulator: a Fir-generation app (docs/heroku-fir.md)', () => {
  let sim: HerokuSimulator;
  let token: string;
  let dyno: string;
  const pair = generateSshKeyPair('sim-test');
  const key = { public: pair.publicKey, private: pair.privateKey };
  before(async () => {
    sim = await startSimulator();
    const account = sim.createAccount({ email: 'fir@example.com' });
    sim.createApp({ name: 'fir-sim', owner: account.id, generation: 'fir', formation: { web: 1, worker: 1 } });
    sim.createApp({ name: 'cedar-sim', owner: account.id });
    token = sim.authorize(account.id, { scope: ['global'] }).accessToken;
    dyno = sim.firDynos('fir-sim').find((d) => d.type === 'web')?.name ?? '';
  });
  after(async () => sim?.close());

  const runInside = (app: string, name: string, body: unknown = { command: 'echo hi' }, accept = RUN_INSIDE) => callApi(sim, 'POST', `/apps/${app}/dynos/${name}`, { token, body, headers: { Accept: accept } });

  it('GET /apps tells the generation and the CNB stack; the formation has Fir dyno names', async () => {
    const fir = obj((await callApi(sim, 'GET', '/apps/fir-sim', { token })).json);
    assert.deepEqual(obj(fir['generation'])['name'], 'fir');
    assert.equal(obj(fir['stack'])['name'], 'cnb');
    const cedar = obj((await callApi(sim, 'GET', '/apps/cedar-sim', { token })).json);
    assert.equal(obj(cedar['generation'])['name'], 'cedar');
    const dynos = arr((await callApi(sim, 'GET', '/apps/fir-sim/dynos', { token })).json);
    assert.deepEqual(dynos.map((d) => d['type']).sort(), ['web', 'worker']);
    for (const d of dynos) assert.match(String(d['name']), /^(web|worker)-[0-9a-z]{10}-[0-9a-z]{5}$/);
  });

  it('refuses the Cedar attach endpoint on a Fir app, run-inside without its Accept variant, and run-inside on a Cedar app', async () => {
    const attach = await callApi(sim, 'POST', '/apps/fir-sim/dynos', { token, body: { command: 'echo hi', attach: true } });
    assert.equal(attach.status, 422);
    assert.match(String(obj(attach.json)['message']), /not available for Fir-generation apps/);
    assert.equal((await runInside('fir-sim', dyno, { command: 'echo hi' }, 'application/vnd.heroku+json; version=3')).status, 404);
    assert.equal((await runInside('cedar-sim', 'web.1')).status, 422);
    assert.equal((await runInside('fir-sim', 'web-0000000000-00000')).status, 404);
    assert.equal((await runInside('fir-sim', dyno, { command: 'echo hi', size: 'standard-2X' })).status, 422);
  });

  it('takes only a key registered on the account, runs the posted command on the shell request, once per attach URL', async () => {
    const url = String(obj((await runInside('fir-sim', dyno, { command: 'echo "inside $DYNO"; exit 4' })).json)['attach_url']);
    assert.match(url, /^https:\/\/localhost:\d+\//);
    await assert.rejects(connectInside(url, { privateKey: key.private, signal: new AbortController().signal }), InsideAuthError);
    assert.equal((await callApi(sim, 'POST', '/account/keys', { token, body: { public_key: 'ssh-ed25519 not-a-key' } })).status, 422);
    assert.equal((await callApi(sim, 'POST', '/account/keys', { token, body: { public_key: key.public } })).status, 201);
    assert.equal((await callApi(sim, 'POST', '/account/keys', { token, body: { public_key: key.public } })).status, 422, 'the same key twice');

    const fresh = String(obj((await runInside('fir-sim', dyno, { command: 'echo "inside $DYNO"; exit 4' })).json)['attach_url']);
    const connection = await connectInside(fresh, { privateKey: key.private, signal: new AbortController().signal });
    assert.equal(connection.hostKeyFingerprint, sim.insideHostKeyFingerprint);
    const session = await connection.start();
    const chunks: Buffer[] = [];
    const { broken } = await session.pipeOutput({ write: (b) => chunks.push(Buffer.from(b)) > 0, drain: async () => undefined });
    assert.equal(broken, false);
    assert.equal(Buffer.concat(chunks).toString(), `inside ${dyno}\n`);
    assert.equal(session.sshExit(), 4);
    await assert.rejects(connectInside(fresh, { privateKey: key.private, signal: new AbortController().signal }), InsideAttachRefusedError, 'an attach URL serves one session');
  });

  it('answers 400 to a request on the attach URL without the Upgrade headers', async () => {
    const url = new URL(String(obj((await runInside('fir-sim', dyno)).json)['attach_url']));
    const status = await new Promise<number>((resolve, reject) => https.get(url, (res) => (res.resume(), resolve(res.statusCode ?? 0))).on('error', reject));
    assert.equal(status, 400);
  });

  it('Fir deploys make OCI images, not slugs; the release points at the image, which carries the commit', async () => {
    const deploy = await sim.deploy('fir-sim', { commit: 'abcdef0123456789abcdef0123456789abcdef01' });
    assert.equal(deploy.slugId, null);
    const release = obj((await callApi(sim, 'GET', `/apps/fir-sim/releases/${deploy.releaseId}`, { token })).json);
    assert.equal(release['slug'], null);
    const image = obj(release['oci_image'])['id'];
    assert.deepEqual(release['artifacts'], [{ type: 'oci-image', id: image }]);
    const images = arr((await callApi(sim, 'GET', `/apps/fir-sim/oci-images/${String(image)}`, { token })).json);
    assert.equal(images[0]?.['commit'], deploy.commit);
    assert.equal((await callApi(sim, 'GET', `/apps/cedar-sim/oci-images/${String(image)}`, { token })).status, 404);
  });

  it('rolls a Fir release back with the same call: the new release points at the target\'s OCI image; an expired target (image destroyed) is refused', async () => {
    sim.createApp({ name: 'fir-sim-rb', owner: 'fir@example.com', generation: 'fir' });
    const v3 = await sim.deploy('fir-sim-rb', { commit: '3333333333333333333333333333333333333333' });
    const v4 = await sim.deploy('fir-sim-rb', { commit: '4444444444444444444444444444444444444444' });
    const v3Image = sim.releaseOciImage('fir-sim-rb', 3);
    assert.ok(v3Image);
    const made = await callApi(sim, 'POST', '/apps/fir-sim-rb/releases', { token, body: { release: v3.releaseId } });
    assert.equal(made.status, 201, JSON.stringify(made.json));
    const release = obj(made.json);
    assert.equal(release['version'], 5);
    assert.equal(release['description'], 'Rollback to v3');
    assert.equal(release['current'], true);
    assert.equal(release['slug'], null);
    assert.deepEqual(release['oci_image'], { id: v3Image });
    assert.deepEqual(release['artifacts'], [{ type: 'oci-image', id: v3Image }]);

    assert.equal(sim.expireRelease('fir-sim-rb', 4), sim.releaseOciImage('fir-sim-rb', 4));
    const listed = arr((await callApi(sim, 'GET', '/apps/fir-sim-rb/releases', { token })).json).find((r) => r['version'] === 4);
    assert.equal(listed?.['status'], 'expired');
    assert.equal(listed?.['eligible_for_rollback'], false);
    assert.deepEqual(listed?.['artifacts'], []);
    assert.equal((await callApi(sim, 'GET', `/apps/fir-sim-rb/oci-images/${String(sim.releaseOciImage('fir-sim-rb', 4))}`, { token })).status, 404, 'the image is gone');
    const refused = await callApi(sim, 'POST', '/apps/fir-sim-rb/releases', { token, body: { release: v4.releaseId } });
    assert.equal(refused.status, 422);
    assert.deepEqual(obj(refused.json), { id: 'invalid_params', message: 'Release v4 is expired: its OCI image was destroyed. Rollback to expired releases is not supported.' });
    assert.equal(sim.releases('fir-sim-rb').length, 5, 'no release made');
  });
});
