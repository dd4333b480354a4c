import assert from 'node:assert/strict';
import { defaultPayloadConverter } from '@temporalio/common';
import { after, before, describe, it } from 'mocha';
import { createApi } from '../../src/api/app';
import { loadConfig } from '../../src/config';
import { EncryptionCodec } from '../../src/temporal/encryption-codec';
import { ConsoleClient } from '../console/console-client';
import { serve } from '../support/api-client';
import { harness, type Harness } from '../support/harness';

const TOKEN = 'codec-session-admin-token-0123456789';
const UI_ORIGIN = 'http://localhost:8080';

/**
 * The Temporal Web UI in a browser (TEMPORAL_CODEC_INCLUDE_CREDENTIALS=true, as in
 * docker-compose.yml) sends cookies, not the admin token: the console session must open the codec
 * for the UI's origin, and for nobody else.
 */
describe('codec endpoint: the Temporal Web UI authenticated by a console session cookie', () => {
  let h: Harness;
  let api: { url: string; close(): Promise<void> };
  let encrypted: { metadata: Record<string, string>; data: string };

  before(async () => {
    h = await harness();
    const config = loadConfig({ ADMIN_API_TOKEN: TOKEN, ENCRYPTION_KEY: h.encryptionKey.toString('base64'), DATABASE_URL: h.databaseUrl, TEMPORAL_UI_URL: UI_ORIGIN });
    api = await serve(createApi({ config, db: h.db, temporal: h.temporal, box: h.box, logger: h.logger }));
    const [payload] = await new EncryptionCodec(h.encryptionKey).encode([defaultPayloadConverter.toPayload({ note: 'seen only through the codec' })]);
    encrypted = {
      metadata: Object.fromEntries(Object.entries(payload?.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
      data: Buffer.from(payload?.data ?? []).toString('base64'),
    };
  });
  after(() => api.close());

  /** What the UI's fetch sends: JSON, X-Namespace, the browser's Origin and (if any) the cookie jar. */
  const decode = (client: ConsoleClient, origin: string) =>
    client.request('/codec/decode', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Namespace': 'default', Origin: origin },
      body: JSON.stringify({ payloads: [encrypted] }),
    });

  const signedIn = async () => {
    const client = new ConsoleClient(api.url);
    assert.equal((await client.signIn(TOKEN)).status, 303);
    return client;
  };

  it('decodes for a signed-in console session from the UI origin, with the CORS grant the browser needs to read it', async () => {
    const res = await decode(await signedIn(), UI_ORIGIN);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('access-control-allow-origin'), UI_ORIGIN);
    assert.equal(res.headers.get('access-control-allow-credentials'), 'true');
    const body = (await res.json()) as { payloads: { metadata: Record<string, string>; data: string }[] };
    assert.equal(Buffer.from(body.payloads[0]?.metadata['encoding'] ?? '', 'base64').toString(), 'json/plain');
    assert.deepEqual(JSON.parse(Buffer.from(body.payloads[0]?.data ?? '', 'base64').toString()), { note: 'seen only through the codec' });
  });

  it('refuses the same session from any other origin, and a request without a session', async () => {
    assert.equal((await decode(await signedIn(), 'https://evil.example')).status, 401);
    assert.equal((await decode(new ConsoleClient(api.url), UI_ORIGIN)).status, 401);
    const forged = new ConsoleClient(api.url);
    forged.cookies.set('dynopulse_session', 'not-a-session');
    assert.equal((await decode(forged, UI_ORIGIN)).status, 401);
  });

  it('stops decoding once the console session is signed out', async () => {
    const client = await signedIn();
    const cookie = client.cookies.get('dynopulse_session');
    assert.ok(cookie);
    assert.equal((await decode(client, UI_ORIGIN)).status, 200);
    assert.equal((await client.postForm('/sign-out', { csrf: await client.pageCsrf() })).status, 303);
    // A browser tab that still holds the old cookie value.
    client.cookies.set('dynopulse_session', cookie);
    assert.equal((await decode(client, UI_ORIGIN)).status, 401);
  });
});
