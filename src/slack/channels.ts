import type { WebClient } from '@slack/web-api';

export type ChannelResolution = { ref: string; channelId: string; error: null } | { ref: string; channelId: null; error: string };

/**
 * Resolves channel references (`C0123` ids or `#names`) to ids with `conversations.list`, and
 * tells up front which ones cannot get a post (unknown, archived, bot not a member), because
 * `files.completeUploadExternal` is all-or-nothing over its channels. Needs `channels:read`
 * (and `groups:read` for private channels).
 */
export async function resolveChannels(client: WebClient, refs: readonly string[]): Promise<ChannelResolution[]> {
  const byId = new Map<string, { id: string; name: string; member: boolean; archived: boolean }>();
  const byName = new Map<string, string>();
  let cursor: string | undefined;
  do {
    const page = await client.conversations.list({ types: 'public_channel,private_channel', limit: 1000, ...(cursor ? { cursor } : {}) });
    for (const c of page.channels ?? []) {
      if (!c.id) continue;
      byId.set(c.id, { id: c.id, name: c.name ?? '', member: c.is_member === true, archived: c.is_archived === true });
      if (c.name) byName.set(c.name, c.id);
    }
    cursor = page.response_metadata?.next_cursor || undefined;
  } while (cursor);

  return refs.map((ref): ChannelResolution => {
    const id = ref.startsWith('#') ? byName.get(ref.slice(1)) : ref;
    const channel = id === undefined ? undefined : byId.get(id);
    if (!channel) return { ref, channelId: null, error: 'channel_not_found' };
    if (channel.archived) return { ref, channelId: null, error: 'is_archived' };
    if (!channel.member) return { ref, channelId: null, error: 'not_in_channel (invite the bot to the channel)' };
    return { ref, channelId: channel.id, error: null };
  });
}
