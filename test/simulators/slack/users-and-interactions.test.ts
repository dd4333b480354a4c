import { afterEach, beforeEach, describe, it } from 'mocha';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebAPIPlatformError, type WebClient } from '@slack/web-api';
import { verifySlackSignature } from '../../../src/approval/slack-signature';
import { SlackSimulator } from './index';
import { sdkClient } from './test-support';

/** A stand-in app: records what reaches its interactivity Request URL. */
async function requestUrl(): Promise<{ url: string; received: { headers: Record<string, string | string[] | undefined>; body: Buffer }[]; server: Server }> {
  const received: { headers: Record<string, string | string[] | undefined>; body: Buffer }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks) });
      res.end('');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/interactions`, received, server };
}

describe('Slack simulator: users.info (scopes) and signed interactions', () => {
  let sim: SlackSimulator;
  let client: WebClient;
  beforeEach(async () => {
    sim = await SlackSimulator.start({ channels: [{ id: 'C1', name: 'ops', isMember: true }], users: [{ id: 'U0ALICE01', name: 'alice', email: 'alice@example.com' }] });
    client = sdkClient(sim);
  });
  afterEach(() => sim.close());

  it('users.info returns the user, with the email only under users:read.email; without users:read it is missing_scope', async () => {
    const info = await client.users.info({ user: 'U0ALICE01' });
    assert.equal(info.user?.id, 'U0ALICE01');
    assert.equal(info.user?.profile?.email, 'alice@example.com');
    await assert.rejects(client.users.info({ user: 'U0NOBODY1' }), (err: unknown) => err instanceof WebAPIPlatformError && err.data.error === 'user_not_found');

    await sim.close();
    sim = await SlackSimulator.start({ users: [{ id: 'U0ALICE01', name: 'alice', email: 'alice@example.com' }], scopes: ['chat:write', 'users:read'] });
    const noEmail = await sdkClient(sim).users.info({ user: 'U0ALICE01' });
    assert.equal(noEmail.user?.profile?.email, undefined, 'no users:read.email: no email field');

    await sim.close();
    sim = await SlackSimulator.start({ users: [{ id: 'U0ALICE01', name: 'alice' }], scopes: ['chat:write'] });
    await assert.rejects(sdkClient(sim).users.info({ user: 'U0ALICE01' }), (err: unknown) => {
      assert.ok(err instanceof WebAPIPlatformError);
      assert.equal(err.data.error, 'missing_scope');
      assert.equal((err.data as { needed?: string }).needed, 'users:read');
      return true;
    });
  });

  it('a click is a form-encoded block_actions payload signed v0 with the signing secret, and only a shown button can be clicked', async () => {
    const app = await requestUrl();
    try {
      sim.setInteractivityUrl(app.url);
      const blocks = [{ type: 'actions', block_id: 'b1', elements: [{ type: 'button', action_id: 'go', value: 'v-1', text: { type: 'plain_text', text: 'Go' } }] }];
      const posted = await client.chat.postMessage({ channel: 'C1', text: 'Go?', blocks });
      const delivered = await sim.click({ channel: 'C1', ts: posted.ts as string, actionId: 'go', userId: 'U0ALICE01' });
      assert.equal(delivered.status, 200);
      const [request] = app.received;
      assert.equal(request?.headers['content-type'], 'application/x-www-form-urlencoded');
      const verified = verifySlackSignature({ secret: sim.signingSecret, rawBody: request!.body, timestamp: request!.headers['x-slack-request-timestamp'] as string, signature: request!.headers['x-slack-signature'] as string });
      assert.deepEqual(verified, { ok: true });
      assert.equal(verifySlackSignature({ secret: 'another-secret', rawBody: request!.body, timestamp: request!.headers['x-slack-request-timestamp'] as string, signature: request!.headers['x-slack-signature'] as string }).ok, false);
      const payload = JSON.parse(new URLSearchParams(request!.body.toString()).get('payload') ?? '{}');
      assert.equal(payload.type, 'block_actions');
      assert.equal(payload.user.id, 'U0ALICE01');
      assert.deepEqual(payload.container, { type: 'message', message_ts: posted.ts, channel_id: 'C1', is_ephemeral: false });
      assert.equal(payload.actions[0].action_id, 'go');
      assert.equal(payload.actions[0].value, 'v-1');
      assert.equal(payload.actions[0].block_id, 'b1');
      assert.match(payload.response_url, /^http:\/\/127\.0\.0\.1:\d+\/actions\//);

      // chat.update without the button: it can no longer be clicked.
      await client.chat.update({ channel: 'C1', ts: posted.ts as string, text: 'Gone', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'Done' } }] });
      await assert.rejects(sim.click({ channel: 'C1', ts: posted.ts as string, actionId: 'go', userId: 'U0ALICE01' }), /shows no button go/);
      await assert.rejects(client.chat.update({ channel: 'C1', ts: posted.ts as string, blocks: 'not json' as unknown as [] }), (err: unknown) => err instanceof WebAPIPlatformError && err.data.error === 'invalid_blocks');
    } finally {
      app.server.close();
    }
  });
});
