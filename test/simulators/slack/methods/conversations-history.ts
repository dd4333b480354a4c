import { booleanArg, integerArg, platformError, stringArg } from '../web-api-args';
import type { MethodHandler } from './method-context';

/**
 * `conversations.history` (Slack's method docs).
 *
 * - `channel` is an ID; unknown, or private without the bot → `channel_not_found`; a public
 *   channel the bot is not in → `not_in_channel` (a bot token reads only channels it is in).
 * - Messages newest first, thread replies excluded (they are in `conversations.replies`), within
 *   `oldest`/`latest` (exclusive, as Slack's default `inclusive=false`), at most `limit` (default
 *   100, capped at 999) per page; `has_more` and `response_metadata.next_cursor` page on.
 * - `metadata` is returned only with `include_all_metadata=true`.
 */
export const conversationsHistory: MethodHandler = (args, { channels, messages, identity }) => {
  const resolution = channels.resolveForPosting(stringArg(args, 'channel') ?? '', { allowNames: false });
  if (!resolution.ok) return platformError(resolution.error);
  const limitArg = integerArg(args, 'limit');
  if (limitArg.kind === 'invalid') return platformError('invalid_limit');
  const limit = Math.min(limitArg.kind === 'integer' ? limitArg.value : 100, 999);
  const oldest = Number(stringArg(args, 'oldest') ?? '0');
  const latest = Number(stringArg(args, 'latest') ?? 'Infinity');
  const cursor = stringArg(args, 'cursor');
  const offset = cursor ? Number(Buffer.from(cursor, 'base64').toString('utf8').replace(/^offset:/, '')) : 0;
  if (!Number.isInteger(offset) || offset < 0) return platformError('invalid_cursor');
  const withMetadata = booleanArg(args, 'include_all_metadata');

  const inChannel = messages
    .filter((m) => m.channel === resolution.channel.id && !m.threadTs && Number(m.ts) > oldest && Number(m.ts) < latest)
    .sort((a, b) => Number(b.ts) - Number(a.ts));
  const page = inChannel.slice(offset, offset + limit);
  const hasMore = offset + limit < inChannel.length;
  return {
    ok: true,
    messages: page.map((m) => ({
      type: 'message',
      user: identity.userId,
      bot_id: identity.botId,
      text: m.text ?? '',
      ts: m.ts,
      ...(withMetadata && m.metadata ? { metadata: m.metadata } : {}),
    })),
    has_more: hasMore,
    response_metadata: { next_cursor: hasMore ? Buffer.from(`offset:${offset + limit}`).toString('base64') : '' },
  };
};
