import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { ApplicationFailure, defaultPayloadConverter } from '@temporalio/common';
import { after, before, describe, it } from 'mocha';
import { createApi } from '../../src/api/app';
import { loadConfig } from '../../src/config';
import { projectRoot } from '../../src/paths';
import { locateTemporalCli } from '../../src/temporal/cli-binary';
import { EncryptionCodec } from '../../src/temporal/encryption-codec';
import { failureConverter } from '../../src/temporal/failure-converter';
import { serve } from '../support/api-client';
import { harness, type Harness } from '../support/harness';

const execFileAsync = promisify(execFile);
const TOKEN = 'codec-test-admin-token-0123456789';

describe('payload encryption and the codec endpoint', () => {
  let h: Harness;
  let api: { url: string; close(): Promise<void> };

  before(async () => {
    h = await harness();
    const config = loadConfig({
      ADMIN_API_TOKEN: TOKEN,
      ENCRYPTION_KEY: h.encryptionKey.toString('base64'),
      DATABASE_URL: h.databaseUrl,
      TEMPORAL_UI_URL: 'http://localhost:8233',
    });
    api = await serve(createApi({ config, db: h.db, temporal: h.temporal, box: h.box, logger: h.logger }));
  });
  after(() => api.close());

  describe('the codec', () => {
    const codec = new EncryptionCodec(randomBytes(32));

    it('round-trips a payload and leaves only the encoding and key id readable', async () => {
      const clear = defaultPayloadConverter.toPayload({ token: 'HRKU-never-in-clear-text' });
      const [encrypted] = await codec.encode([clear]);
      assert.ok(encrypted);
      assert.deepEqual(Object.keys(encrypted.metadata ?? {}).sort(), ['encoding', 'encryption-key-id']);
      assert.ok(!Buffer.from(encrypted.data ?? []).toString('latin1').includes('HRKU'));
      const [decoded] = await codec.decode([encrypted]);
      assert.deepEqual(defaultPayloadConverter.fromPayload(decoded!), { token: 'HRKU-never-in-clear-text' });
    });

    it('decodes payloads of a previous key after rotation, and names an unknown key id', async () => {
      const oldKey = randomBytes(32);
      const [old] = await new EncryptionCodec(oldKey).encode([defaultPayloadConverter.toPayload('x')]);
      assert.equal(defaultPayloadConverter.fromPayload((await new EncryptionCodec(randomBytes(32), [oldKey]).decode([old!]))[0]!), 'x');
      await assert.rejects(new EncryptionCodec(randomBytes(32)).decode([old!]), /unknown key id/);
    });

    it('moves failure messages and stack traces into an encoded payload', () => {
      const failure = failureConverter.errorToFailure(ApplicationFailure.create({ message: 'rejected token HRKU-abc' }), defaultPayloadConverter);
      assert.equal(failure.message, 'Encoded failure');
      assert.equal(failure.stackTrace, '');
      assert.ok(failure.encodedAttributes);
    });
  });

  describe('a workflow history read with the real temporal CLI', () => {
    const secretInput = `visible-only-with-the-codec-${randomUUID()}`;
    const workflowId = `codec-probe-${randomUUID()}`;

    before(async () => {
      // Nobody polls this task queue: the history holds just the (encrypted) start event.
      await h.temporal.workflow.start('CodecProbe', { taskQueue: `codec-probe-${randomUUID()}`, workflowId, args: [{ note: secretInput }] });
    });
    after(() => h.temporal.workflow.getHandle(workflowId).terminate('test done'));

    const show = async (...extra: string[]) =>
      execFileAsync(await locateTemporalCli({ projectRoot }), ['workflow', 'show', '--workflow-id', workflowId, '--address', h.temporalAddress, '--namespace', h.namespace, '--output', 'json', ...extra]);

    /** The start event's input payload as the CLI printed it (`--output json` keeps bytes base64). */
    const startInput = (stdout: string) => {
      const events = (JSON.parse(stdout) as { events: { workflowExecutionStartedEventAttributes?: { input: { payloads: { metadata: Record<string, string>; data: string }[] } } }[] }).events;
      const payload = events[0]?.workflowExecutionStartedEventAttributes?.input.payloads[0];
      assert.ok(payload, 'start event has an input payload');
      return { encoding: Buffer.from(payload.metadata.encoding ?? '', 'base64').toString(), data: Buffer.from(payload.data, 'base64').toString('latin1') };
    };

    it('is unreadable without the codec endpoint', async () => {
      const { stdout } = await show();
      const input = startInput(stdout);
      assert.equal(input.encoding, 'binary/encrypted');
      assert.ok(!input.data.includes(secretInput));
      assert.ok(!stdout.includes(secretInput));
    });

    it('is readable through the codec endpoint with the admin token', async () => {
      const { stdout } = await show('--codec-endpoint', `${api.url}/codec`, '--codec-auth', `Bearer ${TOKEN}`);
      const input = startInput(stdout);
      assert.equal(input.encoding, 'json/plain');
      assert.deepEqual(JSON.parse(input.data), { note: secretInput });
    });

    it('refuses to decode for a caller without the admin token', async () => {
      const res = await fetch(`${api.url}/codec/decode`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ payloads: [] }) });
      assert.equal(res.status, 401);
    });
  });

  describe('CORS for the Temporal Web UI', () => {
    it('answers the preflight of the configured UI origin without credentials', async () => {
      const res = await fetch(`${api.url}/codec/decode`, {
        method: 'OPTIONS',
        headers: { Origin: 'http://localhost:8233', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type,x-namespace' },
      });
      assert.equal(res.status, 204);
      assert.equal(res.headers.get('access-control-allow-origin'), 'http://localhost:8233');
      assert.match(res.headers.get('access-control-allow-headers') ?? '', /x-namespace/);
    });

    it('gives other origins no CORS grant', async () => {
      const res = await fetch(`${api.url}/codec/decode`, { method: 'OPTIONS', headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' } });
      assert.equal(res.headers.get('access-control-allow-origin'), null);
    });

    it('rejects a malformed codec body with 400', async () => {
      const res = await fetch(`${api.url}/codec/decode`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ payloads: [{ data: 'not base64 !!' }] }),
      });
      assert.equal(res.status, 400);
    });
  });
});
