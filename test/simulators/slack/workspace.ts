/** Who the bot token belongs to; returned by `auth.test` (slack-liquid.md A8.8). */
export interface SlackIdentity {
  /** Workspace URL, e.g. `https://dynopulse-test.slack.com/`. */
  url: string;
  team: string;
  teamId: string;
  /** The bot user's name. */
  user: string;
  /** The bot user's ID (`U…`). */
  userId: string;
  /** The bot's ID (`B…`). */
  botId: string;
}

/** What a test declares about a channel. Omitted flags default to `false`. */
export interface SlackChannelSpec {
  /** Channel ID (`C…`, or `G…` for old private channels). */
  id: string;
  /** Channel name without `#`. */
  name: string;
  /** Whether the bot is a member. */
  isMember?: boolean;
  isArchived?: boolean;
  isPrivate?: boolean;
}

/** A channel as the simulator holds it. */
export interface SlackChannel {
  readonly id: string;
  readonly name: string;
  isMember: boolean;
  isArchived: boolean;
  readonly isPrivate: boolean;
  /** Creation time, epoch seconds (the `created` field of conversation objects). */
  readonly created: number;
}

/** Why a channel reference cannot receive a post (slack-liquid.md A4, A8.3). */
export type ChannelRejection = 'channel_not_found' | 'is_archived' | 'not_in_channel';

export type ChannelResolution = { ok: true; channel: SlackChannel } | { ok: false; error: ChannelRejection };

/**
 * The channels of the simulated workspace, in creation order (which is also the order of
 * `conversations.list` pages).
 */
export class ChannelDirectory {
  private readonly byId = new Map<string, SlackChannel>();

  constructor(private readonly nowMs: () => number = Date.now) {}

  add(spec: SlackChannelSpec): SlackChannel {
    if (!/^[CGD][A-Z0-9]+$/.test(spec.id)) {
      throw new Error(`SlackSimulator: channel id ${JSON.stringify(spec.id)} is not a conversation ID (C…, G… or D…)`);
    }
    if (spec.name.startsWith('#') || spec.name.length === 0) {
      throw new Error(`SlackSimulator: channel name ${JSON.stringify(spec.name)} must be non-empty and given without '#'`);
    }
    if (this.byId.has(spec.id)) throw new Error(`SlackSimulator: channel ${spec.id} already exists`);
    if (this.findByName(spec.name)) throw new Error(`SlackSimulator: a channel named ${spec.name} already exists`);
    const channel: SlackChannel = {
      id: spec.id,
      name: spec.name,
      isMember: spec.isMember ?? false,
      isArchived: spec.isArchived ?? false,
      isPrivate: spec.isPrivate ?? false,
      created: Math.floor(this.nowMs() / 1000),
    };
    this.byId.set(channel.id, channel);
    return channel;
  }

  get(id: string): SlackChannel | undefined {
    return this.byId.get(id);
  }

  all(): SlackChannel[] {
    return [...this.byId.values()];
  }

  findByName(name: string): SlackChannel | undefined {
    for (const channel of this.byId.values()) if (channel.name === name) return channel;
    return undefined;
  }

  /**
   * Whether the bot can see the channel at all. A private channel the bot is not in does not
   * exist from the bot's point of view, so Slack answers `channel_not_found` for it rather than
   * `not_in_channel` (documented meaning of `channel_not_found`, slack-liquid.md A4).
   */
  isVisibleToBot(channel: SlackChannel): boolean {
    return !channel.isPrivate || channel.isMember;
  }

  /**
   * Resolves a destination the way a posting method does (slack-liquid.md A8.3).
   *
   * `allowNames`: `chat.postMessage` documents `channel` as "an encoded ID or channel name"
   * (docs.slack.dev/reference/methods/chat.postMessage), so `#ops` and `ops` resolve there. The
   * file methods document "Channel ID(s)" only (docs.slack.dev/reference/methods/
   * files.completeUploadExternal), so a name is simply an unknown ID there.
   */
  resolveForPosting(ref: string, options: { allowNames: boolean }): ChannelResolution {
    let channel = this.byId.get(ref);
    if (!channel && options.allowNames) channel = this.findByName(ref.startsWith('#') ? ref.slice(1) : ref);
    if (!channel || !this.isVisibleToBot(channel)) return { ok: false, error: 'channel_not_found' };
    if (channel.isArchived) return { ok: false, error: 'is_archived' };
    if (!channel.isMember) return { ok: false, error: 'not_in_channel' };
    return { ok: true, channel };
  }
}

/**
 * The conversation object Slack returns for a channel (fields the SDK's `Channel` type names;
 * only those the simulator can answer truthfully).
 */
export function conversationObject(channel: SlackChannel): Record<string, unknown> {
  // Private channels created before March 2021 have `G…` IDs and report `is_group` instead of
  // `is_channel` (Slack's conversation object docs); newer private channels are `is_channel`.
  const legacyGroup = channel.isPrivate && channel.id.startsWith('G');
  return {
    id: channel.id,
    name: channel.name,
    name_normalized: channel.name,
    is_channel: !legacyGroup,
    is_group: legacyGroup,
    is_im: false,
    is_mpim: false,
    is_private: channel.isPrivate,
    is_archived: channel.isArchived,
    is_general: false,
    is_member: channel.isMember,
    created: channel.created,
  };
}
