import { afterEach, beforeEach, describe, it } from 'mocha';
import assert from 'node:assert/strict';
import { WebAPIPlatformError, WebAPIRateLimitedError, type WebClient } from '@slack/web-api';
import { SlackSimulator } from './index';
import { sdkClient } from './test-support';

async function errorCode(call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (error) {
    assert.ok(error instanceof WebAPIPlatformError, `expected WebAPIPlatformError, got ${String(error)}`);
    return error.data.error;
  }
  throw new Error('expected the call to fail');
}

describe('Slack simulator: chat.update, message metadata, conversations.history, Tier 3 rate limits', () => {
  let sim: SlackSimulator;
  let client: WebClient;

  beforeEach(async () => {
    sim = await SlackSimulator.start({ channels: [{ id: 'C1', name: 'ops', isMember: true }, { id: 'C2', name: 'random' }]});
    client = sdkClient(sim);
  });
  afterEach(() => sim.close());

  it('chat.update replaces a message’s text and keeps its ts; a sloppy call gets Slack’s errors', async () => {
    const posted = await client.chat.postMessage({ channel: 'C1', text: 'Running…' });
    const updated = await client.chat.update({ channel: 'C1', ts: posted.ts as string, text: 'Done: exit 0' });
    assert.equal(updated.ts, posted.ts);
    assert.equal(sim.messages[0]?.text, 'Done: exit 0');
    assert.deepEqual(sim.messages[0]?.edits.map((e) => e.text), ['Done: exit 0']);
    assert.equal(await errorCode(client.chat.update({ channel: '#ops', ts: posted.ts as string, text: 'x' })), 'channel_not_found', 'a name is not a channel id');
    assert.equal(await errorCode(client.chat.update({ channel: 'C1', ts: '1.000001', text: 'x' })), 'message_not_found');
    assert.equal(await errorCode(client.apiCall('chat.update', { channel: 'C1', ts: posted.ts })), 'no_text');
  });

  it('past the per-minute limit chat.update answers 429 with Retry-After, as Slack does', async () => {
    await sim.close();
    sim = await SlackSimulator.start({ channels: [{ id: 'C1', name: 'ops', isMember: true }], rateLimits: { 'chat.update': 3 } });
    client = sdkClient(sim);
    const posted = await client.chat.postMessage({ channel: 'C1', text: 'x' });
    for (let i = 0; i < 3; i++) await client.chat.update({ channel: 'C1', ts: posted.ts as string, text: `v${i}` });
    await assert.rejects(client.chat.update({ channel: 'C1', ts: posted.ts as string, text: 'too fast' }), (err: unknown) => {
      assert.ok(err instanceof WebAPIRateLimitedError);
      assert.ok(err.retryAfter >= 1 && err.retryAfter <= 60, String(err.retryAfter));
      return true;
    });
    assert.equal(sim.messages[0]?.text, 'v2');
  });

  it('keeps message metadata, refuses a malformed one, and shows it in history only with include_all_metadata', async () => {
    const metadata = { event_type: 'dynopulse_command_run', event_payload: { run_id: 'r-1' } };
    const posted = await client.chat.postMessage({ channel: 'C1', text: 'with metadata', metadata });
    await client.chat.postMessage({ channel: 'C1', text: 'reply', thread_ts: posted.ts as string });
    assert.equal(await errorCode(client.apiCall('chat.postMessage', { channel: 'C1', text: 'x', metadata: JSON.stringify({ event_type: 'Bad Type', event_payload: {} }) })), 'invalid_metadata_format');

    const plain = await client.conversations.history({ channel: 'C1' });
    assert.deepEqual(plain.messages?.map((m) => [m.text, m.metadata]), [['with metadata', undefined]], 'thread replies are not in history');
    const full = await client.conversations.history({ channel: 'C1', include_all_metadata: true });
    assert.deepEqual(full.messages?.[0]?.metadata, metadata);
    assert.equal(await errorCode(client.conversations.history({ channel: 'C2' })), 'not_in_channel');
  });

  it('history pages newest first with a cursor, within oldest', async () => {
    for (let i = 0; i < 5; i++) await client.chat.postMessage({ channel: 'C1', text: `m${i}` });
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await client.conversations.history({ channel: 'C1', limit: 2, ...(cursor ? { cursor } : {}) });
      seen.push(...(page.messages ?? []).map((m) => m.text ?? ''));
      cursor = page.response_metadata?.next_cursor || undefined;
    } while (cursor);
    assert.deepEqual(seen, ['m4', 'm3', 'm2', 'm1', 'm0']);
    const third = sim.messages[2]?.ts as string;
    const recent = await client.conversations.history({ channel: 'C1', oldest: third });
    assert.deepEqual(recent.messages?.map((m) => m.text), ['m4', 'm3']);
  });
});
