import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'mocha';
import { StartupError } from '../../src/runtime/startup-error';
import { clientConnectionOptions, loadTemporalConnectionSettings, nativeConnectionOptions } from '../../src/temporal/connection-config';

/** How the environment configuration turns variables and a profile file into connection options. */
describe('Temporal connection settings (@temporalio/envconfig)', () => {
  let dir: string;
  let noFile: string;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'dynopulse-envconfig-'));
    noFile = path.join(dir, 'none.toml');
  });
  after(() => rm(dir, { recursive: true, force: true }));
  const load = (env: NodeJS.ProcessEnv) => loadTemporalConnectionSettings({ TEMPORAL_CONFIG_FILE: noFile, ...env });

  it('nothing set: no address (the embedded dev server), namespace "default", plain text', () => {
    assert.deepEqual(load({}), { address: undefined, namespace: 'default', tls: undefined, apiKey: undefined, metadata: undefined });
  });

  it('TEMPORAL_ADDRESS and TEMPORAL_NAMESPACE alone: plain text as before', () => {
    const s = load({ TEMPORAL_ADDRESS: 'temporal:7233', TEMPORAL_NAMESPACE: 'prod' });
    assert.deepEqual(clientConnectionOptions(s), { address: 'temporal:7233', tls: undefined, apiKey: undefined, metadata: undefined });
    assert.equal(s.namespace, 'prod');
  });

  it('an API key turns TLS on for both the client and the worker; TEMPORAL_TLS=false turns it off', () => {
    const s = load({ TEMPORAL_ADDRESS: 'ns.acct.tmprl.cloud:7233', TEMPORAL_API_KEY: 'k' });
    assert.deepEqual(clientConnectionOptions(s).tls, {});
    assert.deepEqual(nativeConnectionOptions(s).tls, {});
    assert.equal(nativeConnectionOptions(s).apiKey, 'k');
    assert.equal(load({ TEMPORAL_ADDRESS: 'a:1', TEMPORAL_API_KEY: 'k', TEMPORAL_TLS: 'false' }).tls, undefined);
  });

  it('empty variables count as unset (a compose file passing VAR: ${VAR:-})', () => {
    assert.deepEqual(load({ TEMPORAL_ADDRESS: 'a:1', TEMPORAL_API_KEY: '', TEMPORAL_TLS: '', TEMPORAL_TLS_SERVER_NAME: ' ' }).tls, undefined);
  });

  it('TEMPORAL_GRPC_META_* become gRPC headers', () => {
    assert.deepEqual(load({ TEMPORAL_ADDRESS: 'a:1', TEMPORAL_GRPC_META_X_TENANT: 'ops' }).metadata, { 'x-tenant': 'ops' });
  });

  it('a profile gives address and namespace; the variables override it', async () => {
    const file = path.join(dir, 'temporal.toml');
    await writeFile(file, '[profile.default]\naddress = "from-file:7233"\nnamespace = "file-ns"\n[profile.default.tls]\nserver_name = "temporal.internal"\n');
    const fromFile = loadTemporalConnectionSettings({ TEMPORAL_CONFIG_FILE: file });
    assert.equal(fromFile.address, 'from-file:7233');
    assert.equal(fromFile.namespace, 'file-ns');
    assert.equal(fromFile.tls?.serverNameOverride, 'temporal.internal');
    assert.equal(loadTemporalConnectionSettings({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_NAMESPACE: 'env-ns' }).namespace, 'env-ns');
  });

  it('bad settings are StartupErrors naming the setting', async () => {
    const bad = path.join(dir, 'bad.toml');
    await writeFile(bad, '[profile.default]\nadress = "typo:7233"\n');
    const cases: [NodeJS.ProcessEnv, RegExp][] = [
      [{ TEMPORAL_TLS: 'true' }, /^TEMPORAL_ADDRESS: TLS or an API key is configured but no address/],
      [{ TEMPORAL_ADDRESS: 'a:1', TEMPORAL_TLS_CLIENT_CERT_PATH: path.join(dir, 'nope.pem') }, /^TEMPORAL_TLS_CLIENT_KEY_PATH \(or _DATA\): a client certificate and its private key must be set together/],
      [{ TEMPORAL_ADDRESS: 'a:1', TEMPORAL_TLS_SERVER_CA_CERT_PATH: path.join(dir, 'nope.pem') }, /^TEMPORAL_TLS_SERVER_CA_CERT_PATH: cannot read .*nope\.pem: ENOENT/],
      [{ TEMPORAL_ADDRESS: 'a:1', TEMPORAL_TLS_SERVER_CA_CERT_DATA: 'junk' }, /^TEMPORAL_TLS_SERVER_CA_CERT_DATA: not a PEM certificate/],
      [{ TEMPORAL_CONFIG_FILE: bad }, /^TEMPORAL_CONFIG_FILE: cannot read .*bad\.toml: .*unrecognized.*adress/],
      [{ TEMPORAL_CONFIG_FILE: bad.replace('bad', 'missing'), TEMPORAL_PROFILE: 'prod' }, /^TEMPORAL_PROFILE: profile "prod" is not in/],
    ];
    for (const [env, message] of cases) {
      assert.throws(() => loadTemporalConnectionSettings({ TEMPORAL_CONFIG_FILE: noFile, ...env }), (err: unknown) => err instanceof StartupError && message.test(err.message), JSON.stringify(env));
    }
  });
});
