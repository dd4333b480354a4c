// Public surface of the Slack Web API simulator (slack-liquid.md A8).
export { SlackSimulator, DEFAULT_BOT_TOKEN, DEFAULT_SCOPES, DEFAULT_SIGNING_SECRET, type SlackSimulatorOptions } from './slack-simulator';
export type { DeliveredInteraction, InteractionRequest, InteractionResponse } from './interactions';
export type { SlackUser } from './methods/users-info';
export { SlackFaults, ANY_METHOD, UPLOAD_METHOD, type SlackFault } from './faults';
export { REDACTED, type RecordedCall } from './call-log';
export type { PostedMessage } from './posted-message';
export type { CompletedFile, UploadTicket } from './upload-store';
export type { SlackChannel, SlackChannelSpec, SlackIdentity } from './workspace';
export { isMessageTs } from './message-ts';
