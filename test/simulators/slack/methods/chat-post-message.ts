import type { PostedMessage } from '../posted-message';
import { jsonArg, platformError, stringArg } from '../web-api-args';
import type { MethodHandler } from './method-context';

/**
 * `chat.postMessage` (slack-liquid.md A6, A8.3).
 *
 * - `channel` is an ID or a name, with or without `#` (docs: "An encoded ID or channel name").
 *   Unknown, or private without the bot → `channel_not_found`; archived → `is_archived`; public
 *   but the bot is not a member → `not_in_channel` (A4). A missing `channel` is
 *   `channel_not_found` too (UNCONFIRMED: newer Slack may answer `invalid_arguments`).
 * - Content is `text`, `blocks`, `attachments` or `markdown_text`; none of them → `no_text`.
 *   `blocks`/`attachments` that are not JSON arrays → `invalid_blocks`/`invalid_attachments`.
 * - Success: `{ok, channel: <ID>, ts, message}` with a fresh `"<epoch>.<6 digits>"` ts.
 *
 * `thread_ts` is recorded but not checked against earlier messages (what Slack does with an
 * unknown parent is UNCONFIRMED).
 */
export const chatPostMessage: MethodHandler = (args, { channels, messages, tsClock, identity }) => {
  const channelRef = stringArg(args, 'channel') ?? '';
  const resolution = channels.resolveForPosting(channelRef, { allowNames: true });
  if (!resolution.ok) return platformError(resolution.error);

  const text = stringArg(args, 'text');
  const blocks = structuredArg(args, 'blocks');
  if (blocks === INVALID) return platformError('invalid_blocks');
  const attachments = structuredArg(args, 'attachments');
  if (attachments === INVALID) return platformError('invalid_attachments');
  const markdownText = stringArg(args, 'markdown_text');
  if (!text && blocks === undefined && attachments === undefined && !markdownText) return platformError('no_text');

  const metadata = metadataArg(args);
  if (metadata === INVALID) return platformError('invalid_metadata_format');

  const threadTs = stringArg(args, 'thread_ts') || undefined;
  const message: PostedMessage = {
    channel: resolution.channel.id,
    channelRef,
    text: text ?? markdownText,
    blocks,
    attachments,
    threadTs,
    ts: tsClock.next(),
    postedAt: new Date(),
    ...(metadata ? { metadata } : {}),
    edits: [],
  };
  messages.push(message);
  return {
    ok: true,
    channel: message.channel,
    ts: message.ts,
    message: {
      type: 'message',
      text: message.text ?? '',
      user: identity.userId,
      bot_id: identity.botId,
      team: identity.teamId,
      ts: message.ts,
      ...(threadTs ? { thread_ts: threadTs } : {}),
      ...(blocks !== undefined ? { blocks } : {}),
      ...(attachments !== undefined ? { attachments } : {}),
    },
  };
};

const INVALID = Symbol('invalid');

/**
 * `metadata`: a JSON object `{"event_type": string, "event_payload": object}` (Slack's message
 * metadata docs); anything else → `invalid_metadata_format` (documented chat.postMessage error).
 */
function metadataArg(args: Record<string, unknown>): PostedMessage['metadata'] | undefined | typeof INVALID {
  const parsed = jsonArg(args, 'metadata');
  if (parsed.kind === 'absent') return undefined;
  if (parsed.kind === 'invalid') return INVALID;
  const value = parsed.value as { event_type?: unknown; event_payload?: unknown } | null;
  if (typeof value !== 'object' || value === null || typeof value.event_type !== 'string' || !/^[a-z0-9_]+$/.test(value.event_type)) return INVALID;
  if (typeof value.event_payload !== 'object' || value.event_payload === null || Array.isArray(value.event_payload)) return INVALID;
  return { event_type: value.event_type, event_payload: value.event_payload as Record<string, unknown> };
}

/**
 * `blocks` / `attachments`: a JSON array (a JSON string in form bodies). Anything else is
 * `invalid_blocks` / `invalid_attachments` (documented chat.postMessage errors, A4); the block
 * contents themselves are not validated. An empty array counts as no content.
 */
function structuredArg(args: Record<string, unknown>, name: string): unknown[] | undefined | typeof INVALID {
  const parsed = jsonArg(args, name);
  if (parsed.kind === 'absent') return undefined;
  if (parsed.kind === 'invalid' || !Array.isArray(parsed.value)) return INVALID;
  return parsed.value.length > 0 ? parsed.value : undefined;
}
