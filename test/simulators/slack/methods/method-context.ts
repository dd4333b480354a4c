import type { MessageTsClock } from '../message-ts';
import type { PostedMessage } from '../posted-message';
import type { UploadStore } from '../upload-store';
import type { WebApiArgs } from '../web-api-request';
import type { WebApiReply } from '../web-api-args';
import type { ChannelDirectory, SlackIdentity } from '../workspace';
import type { SlackUser } from './users-info';

/** The simulator state a Web API method may read and change. */
export interface MethodContext {
  readonly identity: SlackIdentity;
  readonly channels: ChannelDirectory;
  readonly messages: PostedMessage[];
  readonly uploads: UploadStore;
  readonly tsClock: MessageTsClock;
  /** `http://127.0.0.1:<port>/upload/v1/`; an opaque ticket is appended. */
  readonly uploadUrlBase: string;
  /** Largest page `conversations.list` returns, whatever `limit` asks for. */
  readonly conversationsPageSize: number;
  /** The workspace's people, by id (`users.info`). */
  readonly users: ReadonlyMap<string, SlackUser>;
  /** The scopes granted to the bot token (checked by the methods that document one, e.g. `users.info`). */
  readonly scopes: ReadonlySet<string>;
}

/** A Web API method: arguments in, reply body out (always HTTP 200; slack-liquid.md A4). */
export type MethodHandler = (args: WebApiArgs, context: MethodContext) => WebApiReply;
