import { booleanArg, integerArg, platformError, stringArg } from '../web-api-args';
import { conversationObject, type SlackChannel } from '../workspace';
import type { MethodHandler } from './method-context';

// Documented defaults and bounds of conversations.list (Slack method docs, mirrored in
// slack_kit `conversations.list.json`): `limit` defaults to 100 and "must be an integer no larger
// than 1000"; `types` defaults to `public_channel`; errors `invalid_limit`, `invalid_cursor`,
// `invalid_types`.
const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;
const KNOWN_TYPES = new Set(['public_channel', 'private_channel', 'mpim', 'im']);

/**
 * `conversations.list` with cursor pagination. Each page holds at most
 * `min(limit, conversationsPageSize)` channels; `response_metadata.next_cursor` points at the
 * next page and is `""` on the last one (docs.slack.dev/apis/web-api/pagination). Slack says
 * "fewer than the requested number of items may be returned, even if the end of the list hasn't
 * been reached", which is what the page-size cap reproduces: a client that reads one page and
 * ignores the cursor misses channels.
 *
 * Visibility: private channels are listed only when the bot is a member (and `types` includes
 * `private_channel`). DMs and group DMs are not modelled, so `im`/`mpim` list nothing.
 */
export const conversationsList: MethodHandler = (args, { channels, conversationsPageSize }) => {
  const types = (stringArg(args, 'types') ?? 'public_channel').split(',').map((type) => type.trim()).filter(Boolean);
  if (types.length === 0 || types.some((type) => !KNOWN_TYPES.has(type))) return platformError('invalid_types');

  const limitArg = integerArg(args, 'limit');
  if (limitArg.kind === 'invalid') return platformError('invalid_limit');
  // `limit=0` is taken as "no preference" (what Slack does with 0 is UNCONFIRMED).
  const requested = limitArg.kind === 'integer' && limitArg.value !== 0 ? limitArg.value : DEFAULT_LIMIT;
  if (requested < 0 || requested > MAX_LIMIT) return platformError('invalid_limit');
  const pageSize = Math.min(requested, conversationsPageSize);

  const excludeArchived = booleanArg(args, 'exclude_archived');
  const listed = (channel: SlackChannel): boolean =>
    channels.isVisibleToBot(channel) &&
    types.includes(channel.isPrivate ? 'private_channel' : 'public_channel') &&
    !(excludeArchived && channel.isArchived);

  const all = channels.all();
  let start = 0;
  const cursor = stringArg(args, 'cursor');
  if (cursor) {
    const startId = decodeCursor(cursor);
    start = startId === undefined ? -1 : all.findIndex((channel) => channel.id === startId);
    if (start < 0) return platformError('invalid_cursor');
  }

  const page: SlackChannel[] = [];
  let nextCursor = '';
  for (let index = start; index < all.length; index += 1) {
    const channel = all[index];
    if (!channel || !listed(channel)) continue;
    if (page.length === pageSize) {
      nextCursor = encodeCursor(channel.id);
      break;
    }
    page.push(channel);
  }
  return { ok: true, channels: page.map(conversationObject), response_metadata: { next_cursor: nextCursor } };
};

// Cursors are opaque to clients; Slack's look like base64 of `<kind>:<id>` (the documented
// example `dXNlcjpVMDYxTkZUVDI=` decodes to `user:U061NFTT2`). Pointing at a channel ID keeps
// pages stable when channels are added while a client is paging.
function encodeCursor(channelId: string): string {
  return Buffer.from(`channel:${channelId}`, 'utf8').toString('base64');
}

function decodeCursor(cursor: string): string | undefined {
  const match = /^channel:([A-Z0-9]+)$/.exec(Buffer.from(cursor, 'base64').toString('utf8'));
  return match?.[1];
}
