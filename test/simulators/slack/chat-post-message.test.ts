import { describe, it, beforeEach, afterEach } from 'mocha';
import assert from 'node:assert/strict';
import { WebAPIPlatformError, type WebClient } from '@slack/web-api';
import { SlackSimulator, isMessageTs } from './index';
import { postForm, rejectionOf, sdkClient } from './test-support';

function platformErrorCode(error: unknown): string {
  assert.ok(error instanceof WebAPIPlatformError, `expected WebAPIPlatformError, got ${String(error)}`);
  return error.data.error;
}

describe('Slack simulator: chat.postMessage', () => {
  let sim: SlackSimulator;
  let client: WebClient;

  beforeEach(async () => {
    sim = await SlackSimulator.start({
      channels: [
        { id: 'C1', name: 'ops', isMember: true },
        { id: 'C2', name: 'random' },
        { id: 'C3', name: 'old-ops', isMember: true, isArchived: true },
        { id: 'G1', name: 'secret', isPrivate: true },
        { id: 'C5', name: 'war-room', isPrivate: true, isMember: true },
      ],
    });
    client = sdkClient(sim);
  });

  afterEach(() => sim.close());

  it('posts by channel ID and answers {ok, channel, ts, message}', async () => {
    const res = await client.chat.postMessage({ channel: 'C1', text: 'deploy started' });
    assert.equal(res.channel, 'C1');
    assert.ok(res.ts && isMessageTs(res.ts), `ts ${res.ts} should look like <epoch>.<6 digits>`);
    assert.equal(res.message?.text, 'deploy started');
    assert.equal(res.message?.ts, res.ts);
    assert.deepEqual(
      sim.messages.map((message) => [message.channel, message.text, message.ts]),
      [['C1', 'deploy started', res.ts]],
    );
  });

  it('resolves a channel name with or without "#" to the channel ID', async () => {
    const withHash = await client.chat.postMessage({ channel: '#ops', text: 'a' });
    const bare = await client.chat.postMessage({ channel: 'ops', text: 'b' });
    assert.equal(withHash.channel, 'C1');
    assert.equal(bare.channel, 'C1');
    assert.deepEqual(sim.messages.map((message) => [message.channelRef, message.channel]), [['#ops', 'C1'], ['ops', 'C1']]);
  });

  it('answers channel_not_found for an unknown channel and for a private channel the bot is not in', async () => {
    assert.equal(platformErrorCode(await rejectionOf(() => client.chat.postMessage({ channel: 'C999', text: 'x' }))), 'channel_not_found');
    assert.equal(platformErrorCode(await rejectionOf(() => client.chat.postMessage({ channel: '#nope', text: 'x' }))), 'channel_not_found');
    assert.equal(platformErrorCode(await rejectionOf(() => client.chat.postMessage({ channel: 'G1', text: 'x' }))), 'channel_not_found');
    assert.equal(platformErrorCode(await rejectionOf(() => client.chat.postMessage({ channel: '#secret', text: 'x' }))), 'channel_not_found');
  });

  it('answers not_in_channel for a public channel the bot has not joined, until it joins', async () => {
    assert.equal(platformErrorCode(await rejectionOf(() => client.chat.postMessage({ channel: '#random', text: 'x' }))), 'not_in_channel');
    await client.conversations.join({ channel: 'C2' });
    const res = await client.chat.postMessage({ channel: '#random', text: 'x' });
    assert.equal(res.channel, 'C2');
  });

  it('answers is_archived for an archived channel', async () => {
    assert.equal(platformErrorCode(await rejectionOf(() => client.chat.postMessage({ channel: 'C3', text: 'x' }))), 'is_archived');
  });

  it('posts to a private channel the bot is a member of', async () => {
    const res = await client.chat.postMessage({ channel: 'C5', text: 'private hello' });
    assert.equal(res.channel, 'C5');
  });

  it('answers no_text without text, blocks or attachments', async () => {
    const reply = await postForm(sim, 'chat.postMessage', { channel: 'C1' });
    assert.deepEqual(reply.json, { ok: false, error: 'no_text' });
    assert.equal((await postForm(sim, 'chat.postMessage', { channel: 'C1', text: '' })).json?.error, 'no_text');
    assert.equal(sim.messages.length, 0);
  });

  it('accepts blocks without text and rejects blocks that are not a JSON array', async () => {
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: '*done*' } }];
    await client.chat.postMessage({ channel: 'C1', blocks });
    assert.deepEqual(sim.messages[0]?.blocks, blocks);
    assert.equal((await postForm(sim, 'chat.postMessage', { channel: 'C1', blocks: '{"type":"section"}' })).json?.error, 'invalid_blocks');
  });

  it('mints unique, increasing ts values and records thread_ts for replies', async () => {
    const parent = await client.chat.postMessage({ channel: 'C1', text: 'parent' });
    assert.ok(parent.ts);
    const replies = [];
    for (let index = 0; index < 25; index += 1) {
      replies.push(await client.chat.postMessage({ channel: 'C1', text: `reply ${index}`, thread_ts: parent.ts }));
    }
    const all = [parent.ts, ...replies.map((reply) => reply.ts ?? '')];
    assert.equal(new Set(all).size, all.length);
    for (let index = 1; index < all.length; index += 1) {
      assert.ok(Number(all[index]) > Number(all[index - 1]), `${all[index]} should be after ${all[index - 1]}`);
    }
    assert.ok(sim.messages.slice(1).every((message) => message.threadTs === parent.ts));
    assert.equal(replies[0]?.message?.thread_ts, parent.ts);
  });
});

describe('Slack simulator: conversations.join', () => {
  let sim: SlackSimulator;
  let client: WebClient;

  beforeEach(async () => {
    sim = await SlackSimulator.start({
      channels: [
        { id: 'C1', name: 'ops', isMember: true },
        { id: 'C2', name: 'random' },
        { id: 'C3', name: 'old', isArchived: true },
        { id: 'G1', name: 'secret', isPrivate: true },
      ],
    });
    client = sdkClient(sim);
  });

  afterEach(() => sim.close());

  it('makes the bot a member of a public channel', async () => {
    const res = await client.conversations.join({ channel: 'C2' });
    assert.equal(res.channel?.id, 'C2');
    assert.equal(sim.channel('C2')?.isMember, true);
  });

  it('warns already_in_channel when the bot is already a member', async () => {
    const res = await client.conversations.join({ channel: 'C1' });
    assert.equal(res.ok, true);
    assert.equal(res.warning, 'already_in_channel');
  });

  it('cannot join an archived channel or see a private one', async () => {
    assert.equal(platformErrorCode(await rejectionOf(() => client.conversations.join({ channel: 'C3' }))), 'is_archived');
    assert.equal(platformErrorCode(await rejectionOf(() => client.conversations.join({ channel: 'G1' }))), 'channel_not_found');
  });
});
