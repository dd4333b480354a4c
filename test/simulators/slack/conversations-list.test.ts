import { describe, it, before, after } from 'mocha';
import assert from 'node:assert/strict';
import { WebAPIPlatformError, type ConversationsListResponse, type WebClient } from '@slack/web-api';
import { SlackSimulator } from './index';
import { rejectionOf, sdkClient } from './test-support';

function names(res: ConversationsListResponse): string[] {
  return (res.channels ?? []).map((channel) => channel.name ?? '?');
}

function platformErrorCode(error: unknown): string {
  assert.ok(error instanceof WebAPIPlatformError, `expected WebAPIPlatformError, got ${String(error)}`);
  return error.data.error;
}

describe('Slack simulator: conversations.list', () => {
  let sim: SlackSimulator;
  let client: WebClient;

  before(async () => {
    sim = await SlackSimulator.start({
      conversationsPageSize: 2,
      channels: [
        { id: 'C1', name: 'alpha', isMember: true },
        { id: 'C2', name: 'bravo' },
        { id: 'C3', name: 'charlie', isArchived: true },
        { id: 'C4', name: 'delta' },
        { id: 'C5', name: 'echo', isPrivate: true, isMember: true },
        { id: 'G6', name: 'foxtrot', isPrivate: true },
        { id: 'C7', name: 'golf' },
      ],
    });
    client = sdkClient(sim);
  });

  after(() => sim.close());

  it('returns at most conversationsPageSize channels per call, so a client that ignores the cursor misses channels', async () => {
    const first = await client.conversations.list({ limit: 200 });
    assert.deepEqual(names(first), ['alpha', 'bravo']);
    assert.notEqual(first.response_metadata?.next_cursor, '');
  });

  it('pages through every public channel by following next_cursor, which is "" on the last page', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await client.conversations.list({ limit: 200, ...(cursor ? { cursor } : {}) });
      seen.push(...names(page));
      cursor = page.response_metadata?.next_cursor;
      pages += 1;
    } while (cursor);
    assert.deepEqual(seen, ['alpha', 'bravo', 'charlie', 'delta', 'golf']);
    assert.equal(pages, 3);
    assert.equal(cursor, '');
  });

  it("works with the SDK's paginate() helper", async () => {
    const seen: string[] = [];
    for await (const page of client.paginate('conversations.list', { exclude_archived: true })) {
      seen.push(...names(page as ConversationsListResponse));
    }
    assert.deepEqual(seen, ['alpha', 'bravo', 'delta', 'golf']);
  });

  it('lists only the private channels the bot is a member of, and only when asked for private_channel', async () => {
    const res = await client.conversations.list({ types: 'private_channel' });
    assert.deepEqual(names(res), ['echo']);
    assert.equal(res.channels?.[0]?.is_private, true);
    assert.equal(res.channels?.[0]?.is_member, true);
  });

  it('honours a limit smaller than the page size', async () => {
    const res = await client.conversations.list({ limit: 1 });
    assert.deepEqual(names(res), ['alpha']);
  });

  it('answers invalid_cursor, invalid_limit and invalid_types for bad arguments', async () => {
    assert.equal(platformErrorCode(await rejectionOf(() => client.conversations.list({ cursor: 'bm90LWEtY3Vyc29y' }))), 'invalid_cursor');
    assert.equal(platformErrorCode(await rejectionOf(() => client.conversations.list({ limit: 1001 }))), 'invalid_limit');
    assert.equal(platformErrorCode(await rejectionOf(() => client.apiCall('conversations.list', { types: 'public_channel,dm' }))), 'invalid_types');
  });
});
