import { platformError, stringArg } from '../web-api-args';
import { conversationObject } from '../workspace';
import type { MethodHandler } from './method-context';

/**
 * `conversations.join`: the fix for `not_in_channel` (slack-liquid.md A8.8). A bot can join a
 * public channel by ID; a private channel is invisible to a non-member (`channel_not_found`: it
 * needs an invitation, which the simulator models as `addChannel({ isMember: true })`). Joining a
 * channel the bot is already in answers `ok` with the `already_in_channel` warning (Slack's
 * conversations.join docs). A missing `channel` is `channel_not_found` (UNCONFIRMED: newer Slack
 * may say `invalid_arguments`).
 */
export const conversationsJoin: MethodHandler = (args, { channels }) => {
  const channelId = stringArg(args, 'channel');
  if (!channelId) return platformError('channel_not_found');
  const channel = channels.get(channelId);
  if (!channel || !channels.isVisibleToBot(channel)) return platformError('channel_not_found');
  if (channel.isArchived) return platformError('is_archived');
  if (channel.isMember) {
    return { ok: true, channel: conversationObject(channel), warning: 'already_in_channel', response_metadata: { warnings: ['already_in_channel'] } };
  }
  channel.isMember = true;
  return { ok: true, channel: conversationObject(channel) };
};
