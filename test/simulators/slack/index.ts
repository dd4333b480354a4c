// Public surface of the Slack Web API simulator (slack-liquid.md A8).
export { SlackSimulator, DEFAULT_BOT_TOKEN, type SlackSimulatorOptions } from './slack-simulator';
export { SlackFaults, ANY_METHOD, UPLOAD_METHOD, type SlackFault } from './faults';
export { REDACTED, type RecordedCall } from './call-log';
export type { PostedMessage } from './posted-message';
export type { CompletedFile, UploadTicket } from './upload-store';
export type { SlackChannel, SlackChannelSpec, SlackIdentity } from './workspace';
export { isMessageTs } from './message-ts';
