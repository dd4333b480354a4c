/** A message accepted by `chat.postMessage` (slack-liquid.md A8.3: recorded for assertions). */
export interface PostedMessage {
  /** The channel ID the message went to (names are resolved to IDs). */
  readonly channel: string;
  /** The `channel` argument exactly as the client sent it (an ID, `#name` or `name`). */
  readonly channelRef: string;
  /** The current text: `chat.update` replaces it (earlier versions are in `edits`). */
  text?: string;
  /** `blocks` as sent (parsed when it was a JSON string); `chat.update` with `blocks` replaces them. */
  blocks?: unknown;
  readonly attachments?: unknown;
  /** The `thread_ts` argument: the parent message when this is a thread reply. */
  readonly threadTs?: string;
  /** `"<epoch>.<6 digits>"`, unique and increasing. */
  readonly ts: string;
  readonly postedAt: Date;
  /** Message metadata (`{event_type, event_payload}`), as `chat.postMessage` received it. */
  readonly metadata?: { event_type: string; event_payload: Record<string, unknown> };
  /** Every `chat.update` of this message, oldest first. */
  readonly edits: { text: string; blocks?: unknown; at: Date }[];
}
