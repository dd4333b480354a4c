/** A message accepted by `chat.postMessage` (slack-liquid.md A8.3: recorded for assertions). */
export interface PostedMessage {
  /** The channel ID the message went to (names are resolved to IDs). */
  readonly channel: string;
  /** The `channel` argument exactly as the client sent it (an ID, `#name` or `name`). */
  readonly channelRef: string;
  readonly text?: string;
  /** `blocks` as sent (parsed when it was a JSON string). */
  readonly blocks?: unknown;
  readonly attachments?: unknown;
  /** The `thread_ts` argument: the parent message when this is a thread reply. */
  readonly threadTs?: string;
  /** `"<epoch>.<6 digits>"`, unique and increasing. */
  readonly ts: string;
  readonly postedAt: Date;
}
