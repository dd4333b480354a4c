import { authTest } from './auth-test';
import { chatPostMessage } from './chat-post-message';
import { chatUpdate } from './chat-update';
import { conversationsHistory } from './conversations-history';
import { conversationsJoin } from './conversations-join';
import { conversationsList } from './conversations-list';
import { filesCompleteUploadExternal } from './files-complete-upload-external';
import { filesGetUploadURLExternal } from './files-get-upload-url-external';
import type { MethodHandler } from './method-context';
import { usersInfo } from './users-info';

/** The Web API methods the simulator implements; any other name is `unknown_method`. */
export const METHODS: ReadonlyMap<string, MethodHandler> = new Map([
  ['auth.test', authTest],
  ['conversations.list', conversationsList],
  ['conversations.join', conversationsJoin],
  ['chat.postMessage', chatPostMessage],
  ['chat.update', chatUpdate],
  ['conversations.history', conversationsHistory],
  ['files.getUploadURLExternal', filesGetUploadURLExternal],
  ['files.completeUploadExternal', filesCompleteUploadExternal],
  ['users.info', usersInfo],
]);
