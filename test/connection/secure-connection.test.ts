import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'mocha';
import { projectRoot } from '../../src/paths';
import { freePort } from '../../src/runtime/free-port';
import { locateTemporalCli } from '../../src/temporal/cli-binary';
import { searchAttributeKeys } from '../../src/temporal/search-attributes';
import { getRun, postRun, waitFor } from '../command-runs/support';
import { installThroughOAuth, waitForStatus } from '../integrations/support';
import { assertAllAccepted, pulsesOf } from '../pulses/support';
import { adminApi, startStack, type Stack } from '../support/stack';
import { startApiKeyProxy, type ApiKeyProxy } from './support/api-key-proxy';
import { makeTestPki, type TestPki } from './support/certificates';
import { startTlsTerminator, type TlsTerminator } from './support/tls-terminator';

/** A dynopulse main process (`node dist/src/main.js`, API and worker) started as users start it. */
interface MainProcess {
  child: ChildProcess;
  url: string;
  output(): string;
  stop(): Promise<void>;
}

/**
 * Temporal reached only through TLS the test owns, in front of the shared dev server: a TLS
 * terminator that demands a client certificate from the test CA (mTLS), and an HTTP/2 proxy that
 * forwards gRPC only with the right `authorization: Bearer` key (Temporal Cloud's API keys). The
 * settings come from the SDK's environment variables or a `temporal` CLI profile file.
 */
describe('secure Temporal connections (environment configuration: TLS, mTLS, API key, profile file)', function () {
  this.timeout(300_000);
  let stack: Stack;
  let pki: TestPki;
  let terminator: TlsTerminator;
  let proxy: ApiKeyProxy;
  const apiKey = `test-api-key-${randomBytes(12).toString('hex')}`;
  const running: MainProcess[] = [];

  before(async () => {
    pki = await makeTestPki();
    stack = await startStack({ inProcessWorker: false, slack: { channels: [{ id: 'C1', name: 'ops', isMember: true }] } });
    terminator = await startTlsTerminator({ upstream: stack.h.temporalAddress, cert: pki.server.cert.pem, key: pki.server.key.pem, clientCa: pki.ca.pem });
    proxy = await startApiKeyProxy({ upstream: stack.h.temporalAddress, apiKey, cert: pki.server.cert.pem, key: pki.server.key.pem });
  });
  after(async () => {
    for (const p of running) await p.stop();
    await terminator?.close();
    await proxy?.close();
    await stack?.close();
    await pki?.cleanup();
  });

  /** The stack's env for a child, minus any Temporal connection setting, plus `temporal`. */
  function childEnv(port: number, temporal: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...process.env, ...stack.env };
    for (const name of Object.keys(env)) if (/^TEMPORAL_(ADDRESS|NAMESPACE|API_KEY|TLS.*|PROFILE|CONFIG_FILE|GRPC_META_.*)$/.test(name)) delete env[name];
    return {
      ...env,
      PORT: String(port),
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      // No developer profile file: only what the test gives.
      TEMPORAL_CONFIG_FILE: path.join(pki.dir, 'no-such-profile.toml'),
      NODE_EXTRA_CA_CERTS: path.join(projectRoot, 'test', 'fixtures', 'tls', 'ca.pem'),
      LOG_LEVEL: 'warn',
      ...temporal,
    };
  }

  function spawnMain(port: number, temporal: NodeJS.ProcessEnv): MainProcess {
    const child = spawn(process.execPath, ['--enable-source-maps', path.join(projectRoot, 'dist', 'src', 'main.js')], { env: childEnv(port, temporal), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    return {
      child,
      url: `http://127.0.0.1:${port}`,
      output: () => out,
      async stop() {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        await exited;
      },
    };
  }

  async function startMain(temporal: NodeJS.ProcessEnv): Promise<MainProcess> {
    const main = spawnMain(await freePort(), temporal);
    running.push(main);
    await waitFor('dynopulse to start', async () => main.output(), (o) => o.includes('dynopulse is running') || main.child.exitCode !== null);
    assert.equal(main.child.exitCode, null, main.output());
    return main;
  }

  /** Starts dynopulse with bad settings: it must exit non-zero within 30 s with one "cannot start" line naming `setting`. */
  async function expectRefusedStart(temporal: NodeJS.ProcessEnv, setting: string, why: RegExp): Promise<string> {
    const started = Date.now();
    const main = spawnMain(await freePort(), temporal);
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => resolve(null), 30_000);
      main.child.once('exit', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    const out = main.output();
    if (code === null) await main.stop();
    assert.notEqual(code, null, `still running after 30 s:\n${out}`);
    assert.notEqual(code, 0, out);
    assert.ok(Date.now() - started < 30_000);
    const lines = out.split('\n').filter((l) => l.startsWith('dynopulse cannot start: '));
    assert.equal(lines.length, 1, out);
    const line = lines[0] as string;
    assert.ok(line.startsWith(`dynopulse cannot start: ${setting}`), line);
    assert.match(line, why);
    assert.doesNotMatch(out, /^\s+at .+\(.+:\d+:\d+\)$/m, 'no stack trace');
    assert.ok(!out.includes(apiKey), 'the API key is not printed');
    return line;
  }

  /** Through `main`'s API and worker only: install (OAuth + install workflow), a deploy's pulses, a command run. */
  async function installDeployAndRun(main: MainProcess): Promise<void> {
    const ready = await fetch(`${main.url}/readyz`);
    assert.equal(ready.status, 200, await ready.text());
    const viaMain: Stack = { ...stack, apiUrl: main.url, api: adminApi(main.url), config: { ...stack.config, publicUrl: main.url } };
    const app = `secure-${randomUUID().slice(0, 8)}`;
    const orgId = `org-${randomUUID().slice(0, 8)}`;
    const install = await installThroughOAuth(viaMain, { apps: [app], orgId });
    await waitForStatus(viaMain, install.integrationId, 'connected', 90_000);

    const deploy = await stack.heroku.deploy(app);
    await stack.heroku.waitForDeliveriesSettled();
    assertAllAccepted(stack.heroku, deploy.eventIds);
    const pulses = await waitFor('the deploy pulses', () => pulsesOf(viaMain, { orgId }), (p) => p.length === 3);
    assert.equal(pulses.length, 3);

    const runId = `secure-run-${randomUUID()}`;
    const started = await postRun(viaMain, { id: runId, integrationId: install.integrationId, appName: app, command: 'echo through TLS', slackChannels: ['#ops'] });
    assert.equal(started.status, 202, JSON.stringify(started.json));
    const run = await waitFor('the run to end', () => getRun(viaMain, runId), (r) => ['succeeded', 'failed', 'timed_out', 'cancelled'].includes(r.status));
    assert.equal(run.status, 'succeeded', JSON.stringify(run));
    assert.equal(run.exitCode, 0);
  }

  describe('mTLS: a TLS terminator that demands a client certificate from the test CA', () => {
    const mtls = () => ({
      TEMPORAL_ADDRESS: terminator.address,
      TEMPORAL_NAMESPACE: stack.h.namespace,
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: pki.ca.path,
      TEMPORAL_TLS_CLIENT_CERT_PATH: pki.client.cert.path,
      TEMPORAL_TLS_CLIENT_KEY_PATH: pki.client.key.path,
    });

    it('install, a deploy\'s pulses and a command run go through it; /readyz is 503 while Temporal cannot be reached and 200 again after', async () => {
      const refusedBefore = terminator.refused;
      const main = await startMain(mtls());
      assert.match(main.output(), /Temporal: +127\.0\.0\.1:\d+ .*TLS \+ client certificate/);
      await installDeployAndRun(main);
      assert.ok(terminator.accepted > 0);
      assert.equal(terminator.refused, refusedBefore, 'no handshake was refused');

      await terminator.pause();
      const down = await fetch(`${main.url}/readyz`);
      assert.equal(down.status, 503);
      assert.deepEqual(((await down.json()) as { checks: unknown }).checks, { postgres: true, temporal: false });
      await terminator.resume();
      await waitFor('/readyz to be 200 again', async () => (await fetch(`${main.url}/readyz`)).status, (s) => s === 200);
      await main.stop();
    });

    it('the same settings as _DATA variables (PEM in the environment) work too', async () => {
      const main = await startMain({
        TEMPORAL_ADDRESS: terminator.address,
        TEMPORAL_NAMESPACE: stack.h.namespace,
        TEMPORAL_TLS_SERVER_CA_CERT_DATA: pki.ca.pem,
        TEMPORAL_TLS_CLIENT_CERT_DATA: pki.client.cert.pem,
        TEMPORAL_TLS_CLIENT_KEY_DATA: pki.client.key.pem,
      });
      assert.equal((await fetch(`${main.url}/readyz`)).status, 200);
      await main.stop();
    });

    it('without a client certificate: refused at start, naming the certificate setting', async () => {
      const { TEMPORAL_TLS_CLIENT_CERT_PATH: _c, TEMPORAL_TLS_CLIENT_KEY_PATH: _k, ...noCert } = mtls();
      await expectRefusedStart(noCert, 'TEMPORAL_TLS_CLIENT_CERT_PATH', /requires a client certificate/);
    });

    it('a client certificate from another CA: refused at start', async () => {
      await expectRefusedStart({ ...mtls(), TEMPORAL_TLS_CLIENT_CERT_PATH: pki.strangerClient.cert.path, TEMPORAL_TLS_CLIENT_KEY_PATH: pki.strangerClient.key.path }, 'TEMPORAL_TLS_CLIENT_CERT_PATH', /refused the client certificate/);
    });

    it('a wrong server CA: refused at start, naming TEMPORAL_TLS_SERVER_CA_CERT_PATH', async () => {
      await expectRefusedStart({ ...mtls(), TEMPORAL_TLS_SERVER_CA_CERT_PATH: pki.otherCa.path }, 'TEMPORAL_TLS_SERVER_CA_CERT_PATH', /not signed by a trusted CA/);
    });

    it('a server name the certificate does not cover: refused at start, naming TEMPORAL_TLS_SERVER_NAME', async () => {
      await expectRefusedStart({ ...mtls(), TEMPORAL_TLS_SERVER_NAME: 'elsewhere.example' }, 'TEMPORAL_TLS_SERVER_NAME', /not valid for this name/);
    });

    it('an unreadable certificate path: refused at start, naming the variable and the path', async () => {
      const missing = path.join(pki.dir, 'missing-client.pem');
      const line = await expectRefusedStart({ ...mtls(), TEMPORAL_TLS_CLIENT_CERT_PATH: missing }, 'TEMPORAL_TLS_CLIENT_CERT_PATH', /cannot read/);
      assert.ok(line.includes(missing), line);
    });

    it('a key that does not match its certificate: refused at start, naming the key setting', async () => {
      await expectRefusedStart({ ...mtls(), TEMPORAL_TLS_CLIENT_KEY_PATH: pki.strangerClient.key.path }, 'TEMPORAL_TLS_CLIENT_KEY_PATH', /does not match the client certificate/);
    });

    it('a file that is not PEM: refused at start', async () => {
      const junk = path.join(pki.dir, 'junk.pem');
      await writeFile(junk, 'not a certificate\n');
      await expectRefusedStart({ ...mtls(), TEMPORAL_TLS_SERVER_CA_CERT_PATH: junk }, 'TEMPORAL_TLS_SERVER_CA_CERT_PATH', /not a PEM certificate/);
    });

    it('no TLS setting against the TLS terminator: refused at start, naming TEMPORAL_TLS', async () => {
      await expectRefusedStart({ TEMPORAL_ADDRESS: terminator.address, TEMPORAL_NAMESPACE: stack.h.namespace }, 'TEMPORAL_TLS', /answers with TLS, but no TLS setting is set/);
    });

    it('TLS against the plain-text server: refused at start, naming TEMPORAL_TLS', async () => {
      await expectRefusedStart({ TEMPORAL_ADDRESS: stack.h.temporalAddress, TEMPORAL_NAMESPACE: stack.h.namespace, TEMPORAL_TLS: 'true' }, 'TEMPORAL_TLS', /does not speak TLS/);
    });
  });

  describe('API key: an HTTP/2 proxy over TLS that forwards gRPC only with the right Bearer key', () => {
    it('install, a deploy\'s pulses and a command run go through it; the client and the worker both send the key', async () => {
      const before = proxy.calls.length;
      const main = await startMain({ TEMPORAL_ADDRESS: proxy.address, TEMPORAL_NAMESPACE: stack.h.namespace, TEMPORAL_API_KEY: apiKey, TEMPORAL_TLS_SERVER_CA_CERT_PATH: pki.ca.path });
      assert.match(main.output(), /TLS \+ API key/);
      await installDeployAndRun(main);
      await main.stop();
      const calls = proxy.calls.slice(before);
      assert.deepEqual(calls.filter((c) => !c.authorized), [], 'every call carried the key');
      // The worker's NativeConnection (Rust core) polls; the API's Connection (grpc-js) starts workflows.
      assert.ok(calls.some((c) => c.method.endsWith('/PollWorkflowTaskQueue')), 'the worker polled through the proxy');
      assert.ok(calls.some((c) => c.method.endsWith('/StartWorkflowExecution') && /grpc-node-js/.test(c.userAgent)), `the API client started workflows through the proxy: ${[...new Set(calls.map((c) => c.userAgent))].join(', ')}`);
    });

    it('the whole connection from a `temporal` CLI profile file (TEMPORAL_CONFIG_FILE, TEMPORAL_PROFILE); the CLI reaches the same cluster with it', async () => {
      const file = path.join(pki.dir, 'temporal.toml');
      await writeFile(
        file,
        [
          '[profile.default]',
          'address = "127.0.0.1:1"',
          '',
          '[profile.cloud]',
          `address = "${proxy.address}"`,
          `namespace = "${stack.h.namespace}"`,
          `api_key = "${apiKey}"`,
          '[profile.cloud.tls]',
          `server_ca_cert_path = "${pki.ca.path}"`,
          '',
        ].join('\n'),
      );
      const main = await startMain({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'cloud' });
      // The SRE's CLI with the same file: the search attributes dynopulse needs, listed through the proxy.
      const callsBefore = proxy.calls.length;
      const cliEnv = { ...childEnv(0, {}), TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'cloud' };
      const { stdout } = await promisify(execFile)(await locateTemporalCli({ projectRoot }), ['operator', 'search-attribute', 'list'], { env: cliEnv });
      for (const key of searchAttributeKeys) assert.match(stdout, new RegExp(`\\b${key.name}\\b`));
      assert.ok(proxy.calls.slice(callsBefore).some((c) => c.authorized && c.method.endsWith('/ListSearchAttributes')), 'the CLI went through the proxy with the key');
      assert.match(main.output(), new RegExp(`Temporal: +${proxy.address.replace(/\./g, '\\.')} \\(namespace ${stack.h.namespace},.*TLS \\+ API key`));
      assert.equal((await fetch(`${main.url}/readyz`)).status, 200);
      await main.stop();
    });

    it('a wrong API key: refused at start, naming TEMPORAL_API_KEY, without printing it', async () => {
      await expectRefusedStart({ TEMPORAL_ADDRESS: proxy.address, TEMPORAL_NAMESPACE: stack.h.namespace, TEMPORAL_API_KEY: `${apiKey}-wrong`, TEMPORAL_TLS_SERVER_CA_CERT_PATH: pki.ca.path }, 'TEMPORAL_API_KEY', /refused the credentials/);
    });

    it('an unknown profile: refused at start, naming TEMPORAL_PROFILE', async () => {
      await writeFile(path.join(pki.dir, 'one-profile.toml'), `[profile.default]\naddress = "${proxy.address}"\n`);
      await expectRefusedStart({ TEMPORAL_CONFIG_FILE: path.join(pki.dir, 'one-profile.toml'), TEMPORAL_PROFILE: 'nope' }, 'TEMPORAL_PROFILE', /"nope" is not in/);
    });
  });
});
