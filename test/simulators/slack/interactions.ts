import { createHmac } from 'node:crypto';
import type { PostedMessage } from './posted-message';
import type { SlackUser } from './methods/users-info';
import { mintOpaqueToken, mintSlackId } from './slack-ids';
import type { SlackChannel, SlackIdentity } from './workspace';

// Interactivity as Slack delivers it to an app's Request URL:
// - the body is `application/x-www-form-urlencoded` with one field, `payload`, holding the JSON
//   interaction payload ("Handling user interaction", docs.slack.dev/interactivity/handling-user-interaction);
// - a button click is a `block_actions` payload (docs.slack.dev/reference/interaction-payloads/block_actions-payload):
//   user, container (message_ts, channel_id), channel, message (with its blocks), response_url,
//   trigger_id, and `actions` with the clicked element's action_id, block_id, value and action_ts;
// - every request is signed ("Verifying requests from Slack", docs.slack.dev/authentication/verifying-requests-from-slack):
//   `X-Slack-Request-Timestamp` (Unix seconds) and `X-Slack-Signature` =
//   `v0=` + hex HMAC-SHA256(signing secret, `v0:<timestamp>:<raw body>`).

/** One request as it went to the Request URL: enough to send it again byte for byte (a replay). */
export interface InteractionRequest {
  readonly url: string;
  readonly body: string;
  readonly headers: Record<string, string>;
}

export interface DeliveredInteraction {
  readonly request: InteractionRequest;
  /** The app's answer. */
  readonly status: number;
  readonly responseBody: string;
}

/** What the app posted to a `response_url` (ephemeral replies and message replacements). */
export interface InteractionResponse {
  readonly responseUrl: string;
  readonly body: unknown;
  readonly at: Date;
}

interface Button {
  readonly action_id: string;
  readonly block_id: string;
  readonly value?: string;
  readonly text?: unknown;
  readonly style?: string;
}

/** The button `actionId` among the message's current blocks (only a button that is shown can be clicked). */
export function findButton(message: PostedMessage, actionId: string): Button | undefined {
  if (!Array.isArray(message.blocks)) return undefined;
  for (const block of message.blocks as { type?: string; block_id?: string; elements?: { type?: string; action_id?: string; value?: string; text?: unknown; style?: string }[] }[]) {
    if (block.type !== 'actions' || !Array.isArray(block.elements)) continue;
    const element = block.elements.find((e) => e.type === 'button' && e.action_id === actionId);
    if (element) return { action_id: actionId, block_id: block.block_id ?? mintOpaqueToken(4), value: element.value, text: element.text, style: element.style };
  }
  return undefined;
}

export function blockActionsPayload(args: { message: PostedMessage; channel: SlackChannel; button: Button; user: SlackUser; identity: SlackIdentity; responseUrl: string; nowMs: number }): Record<string, unknown> {
  const { message, channel, button, user, identity } = args;
  const actionTs = (args.nowMs / 1000).toFixed(6);
  return {
    type: 'block_actions',
    user: { id: user.id, username: user.name, name: user.name, team_id: identity.teamId },
    api_app_id: 'A00000SIM01',
    token: 'deprecated-verification-token',
    container: { type: 'message', message_ts: message.ts, channel_id: channel.id, is_ephemeral: false },
    trigger_id: `${Math.floor(args.nowMs)}.${mintSlackId('', 12)}`,
    team: { id: identity.teamId, domain: new URL(identity.url).hostname.split('.')[0] },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: channel.id, name: channel.name },
    message: { type: 'message', user: identity.userId, bot_id: identity.botId, ts: message.ts, text: message.text ?? '', blocks: message.blocks },
    state: { values: {} },
    response_url: args.responseUrl,
    actions: [{ type: 'button', action_id: button.action_id, block_id: button.block_id, value: button.value, text: button.text, ...(button.style ? { style: button.style } : {}), action_ts: actionTs }],
  };
}

/** The form body and signed headers of an interaction, as Slack sends it at `timestampSeconds`. */
export function signedInteraction(url: string, signingSecret: string, payload: unknown, timestampSeconds: number): InteractionRequest {
  return signedBody(url, signingSecret, new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), timestampSeconds);
}

/** Any body, signed as Slack signs its requests (for tests of what a signed but malformed request gets). */
export function signedBody(url: string, signingSecret: string, body: string, timestampSeconds: number): InteractionRequest {
  const timestamp = String(timestampSeconds);
  const signature = `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  return {
    url,
    body,
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Slack-Request-Timestamp': timestamp, 'X-Slack-Signature': signature, 'User-Agent': 'Slackbot 1.0 (+https://api.slack.com/robots)' },
  };
}

export async function deliver(request: InteractionRequest): Promise<DeliveredInteraction> {
  const res = await fetch(request.url, { method: 'POST', headers: request.headers, body: request.body });
  return { request, status: res.status, responseBody: await res.text() };
}
