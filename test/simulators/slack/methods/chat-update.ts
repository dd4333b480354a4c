import { jsonArg, platformError, stringArg } from '../web-api-args';
import type { MethodHandler } from './method-context';

/**
 * `chat.update` (Slack's method docs; errors from its documented list).
 *
 * - `channel` must be the channel ID the message is in: a name is not accepted (the docs ask for
 *   "Channel containing the message to be updated"; a name → `channel_not_found`).
 * - `ts` must name a message of that channel → else `message_not_found`; a message not posted by
 *   this bot → `cant_update_message` (the simulator only holds the bot's own messages, so this
 *   cannot happen here).
 * - Content is `text` or `blocks`; neither → `no_text`; `blocks` that are not a JSON array →
 *   `invalid_blocks`. Given blocks replace the message's blocks (buttons included).
 * - Success: `{ok, channel, ts, text}`; the message keeps its ts and gains an entry in `edits`.
 *
 * Rate limits (Tier 3) are applied by the simulator before the method runs (SlackRateLimits).
 */
export const chatUpdate: MethodHandler = (args, { channels, messages }) => {
  const channelId = stringArg(args, 'channel') ?? '';
  const resolution = channels.resolveForPosting(channelId, { allowNames: false });
  if (!resolution.ok) return platformError(resolution.error);
  const ts = stringArg(args, 'ts') ?? '';
  const message = messages.find((m) => m.channel === resolution.channel.id && m.ts === ts);
  if (!message) return platformError('message_not_found');
  const text = stringArg(args, 'text');
  const blocks = jsonArg(args, 'blocks');
  if (blocks.kind === 'invalid' || (blocks.kind === 'value' && !Array.isArray(blocks.value))) return platformError('invalid_blocks');
  if (!text && blocks.kind === 'absent') return platformError('no_text');
  message.text = text ?? '';
  if (blocks.kind === 'value') message.blocks = blocks.value;
  message.edits.push({ text: message.text, ...(blocks.kind === 'value' ? { blocks: blocks.value } : {}), at: new Date() });
  return { ok: true, channel: message.channel, ts: message.ts, text: message.text };
};
