import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { redactArgs, type RecordedCall } from './call-log';
import { SlackFaults, UPLOAD_METHOD, type SlackFault } from './faults';
import { readBody, sendJson, sendText } from './http-io';
import { MessageTsClock } from './message-ts';
import type { MethodContext } from './methods/method-context';
import { METHODS } from './methods/method-table';
import type { PostedMessage } from './posted-message';
import { acceptUpload } from './upload-endpoint';
import { UploadStore, type CompletedFile, type UploadTicket } from './upload-store';
import { platformError, type WebApiReply } from './web-api-args';
import { authError, presentedToken } from './web-api-auth';
import { parseWebApiRequest } from './web-api-request';
import { DEFAULT_PER_MINUTE, SlackRateLimits } from './rate-limits';
import { ChannelDirectory, type SlackChannel, type SlackChannelSpec, type SlackIdentity } from './workspace';
import { blockActionsPayload, deliver, findButton, signedInteraction, type DeliveredInteraction, type InteractionRequest, type InteractionResponse } from './interactions';
import type { SlackUser } from './methods/users-info';
import { mintOpaqueToken } from './slack-ids';

export interface SlackSimulatorOptions {
  /** The one valid bot token. Default {@link DEFAULT_BOT_TOKEN}. */
  botToken?: string;
  /** Channels that exist at start (more with {@link SlackSimulator.addChannel}). */
  channels?: SlackChannelSpec[];
  /**
   * Largest page `conversations.list` returns, whatever `limit` the client asks for. Default 200.
   * Tests use 2 to prove a client follows `next_cursor`.
   */
  conversationsPageSize?: number;
  /** Overrides for what `auth.test` reports. */
  identity?: Partial<SlackIdentity>;
  /** Calls per minute per method (rate-limits.ts); default Slack's Tier 3 for `chat.update` and `conversations.history`. */
  rateLimits?: Record<string, number>;
  /** People of the workspace (`users.info`, and who clicks a button). */
  users?: SlackUser[];
  /** Scopes of the bot token; default {@link DEFAULT_SCOPES}. Methods that document a scope check it (`users.info`). */
  scopes?: string[];
  /** The app's signing secret: interactions are signed with it. Default {@link DEFAULT_SIGNING_SECRET}. */
  signingSecret?: string;
  /** The app's interactivity Request URL (also settable later with {@link SlackSimulator.setInteractivityUrl}). */
  interactivityUrl?: string;
}

/** What a dynopulse Slack app is installed with (README "Approval gate"). */
export const DEFAULT_SCOPES = ['chat:write', 'channels:read', 'groups:read', 'channels:history', 'files:write', 'users:read', 'users:read.email'];
export const DEFAULT_SIGNING_SECRET = 'simulated-slack-signing-secret-0123456789abcdef';

export const DEFAULT_BOT_TOKEN = 'xoxb-test-0000000000-simulator';

const DEFAULT_IDENTITY: SlackIdentity = {
  url: 'https://dynopulse-sim.slack.com/',
  team: 'dynopulse simulated workspace',
  teamId: 'T00000SIM01',
  user: 'dynopulse',
  userId: 'U00000BOT01',
  botId: 'B00000BOT01',
};

const API_PREFIX = '/api/';
const RESPONSE_URL_PREFIX = '/actions/';
const UPLOAD_PREFIX = '/upload/v1/';

/**
 * A local, strict fake of the Slack Web API for the methods dynopulse uses
 * (slack-liquid.md A8): `auth.test`, `conversations.list`, `conversations.join`,
 * `chat.postMessage`, and the external upload flow `files.getUploadURLExternal` →
 * `POST /upload/v1/<opaque>` → `files.completeUploadExternal`.
 *
 * Point `@slack/web-api` at it with `new WebClient(token, { slackApiUrl: sim.apiUrl })`
 * (dynopulse: `SLACK_API_URL=<apiUrl>`). Platform errors are HTTP 200 `{ok:false,error}` as in
 * Slack; transport trouble is injected through {@link SlackSimulator.faults}.
 *
 * @example
 * const sim = await SlackSimulator.start({ channels: [{ id: 'C1', name: 'ops', isMember: true }] });
 * const client = new WebClient(sim.botToken, { slackApiUrl: sim.apiUrl, retryConfig: { retries: 0 } });
 * await client.chat.postMessage({ channel: '#ops', text: 'hi' });
 * assert.equal(sim.messages[0]?.channel, 'C1');
 * await sim.close();
 */
export class SlackSimulator {
  /** `http://127.0.0.1:<port>/api/`: the `slackApiUrl` option (dynopulse's `SLACK_API_URL`). */
  readonly apiUrl: string;
  /** `http://127.0.0.1:<port>`. */
  readonly baseUrl: string;
  /** The token the simulator accepts. */
  readonly botToken: string;
  /** What `auth.test` answers for {@link botToken}. */
  readonly identity: SlackIdentity;
  /** Fault injection: 429 with `Retry-After`, HTTP 5xx, non-JSON 200, `ok:false`, delays. */
  readonly faults = new SlackFaults();

  private readonly channelDirectory = new ChannelDirectory();
  private readonly postedMessages: PostedMessage[] = [];
  private readonly uploads = new UploadStore();
  private readonly recordedCalls: RecordedCall[] = [];
  private readonly validTokens: ReadonlySet<string>;
  private readonly context: MethodContext;
  private readonly pendingDelays = new Set<() => void>();
  private readonly rateLimits: SlackRateLimits;
  private readonly people = new Map<string, SlackUser>();
  private readonly interactionResponses: InteractionResponse[] = [];
  private interactivityUrl: string | undefined;
  /** The app's signing secret (what dynopulse's SLACK_SIGNING_SECRET must be). */
  readonly signingSecret: string;
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly server: Server,
    port: number,
    options: SlackSimulatorOptions,
  ) {
    this.baseUrl = `http://127.0.0.1:${port}`;
    this.apiUrl = `${this.baseUrl}${API_PREFIX}`;
    this.botToken = options.botToken ?? DEFAULT_BOT_TOKEN;
    this.identity = { ...DEFAULT_IDENTITY, ...options.identity };
    this.validTokens = new Set([this.botToken]);
    const conversationsPageSize = options.conversationsPageSize ?? 200;
    if (!Number.isInteger(conversationsPageSize) || conversationsPageSize < 1) {
      throw new Error('SlackSimulator: conversationsPageSize must be a positive integer');
    }
    for (const spec of options.channels ?? []) this.channelDirectory.add(spec);
    this.rateLimits = new SlackRateLimits({ ...DEFAULT_PER_MINUTE, ...options.rateLimits });
    for (const user of options.users ?? []) this.addUser(user);
    this.signingSecret = options.signingSecret ?? DEFAULT_SIGNING_SECRET;
    this.interactivityUrl = options.interactivityUrl;
    this.context = {
      users: this.people,
      scopes: new Set(options.scopes ?? DEFAULT_SCOPES),
      identity: this.identity,
      channels: this.channelDirectory,
      messages: this.postedMessages,
      uploads: this.uploads,
      tsClock: new MessageTsClock(),
      uploadUrlBase: `${this.baseUrl}${UPLOAD_PREFIX}`,
      conversationsPageSize,
    };
  }

  /** Starts a simulator on 127.0.0.1 with a random free port. */
  static async start(options: SlackSimulatorOptions = {}): Promise<SlackSimulator> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    let simulator: SlackSimulator;
    try {
      simulator = new SlackSimulator(server, (server.address() as AddressInfo).port, options);
    } catch (error) {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      throw error;
    }
    server.on('request', (req: IncomingMessage, res: ServerResponse) => void simulator.handle(req, res));
    return simulator;
  }

  /** Creates a channel. Throws on a duplicate ID or name. */
  addChannel(spec: SlackChannelSpec): SlackChannel {
    return this.channelDirectory.add(spec);
  }

  /**
   * The live channel record for an ID; set `isMember` / `isArchived` on it to change the
   * workspace mid-test.
   */
  channel(id: string): SlackChannel | undefined {
    return this.channelDirectory.get(id);
  }

  /** All channels, in creation order. */
  get channels(): readonly SlackChannel[] {
    return this.channelDirectory.all();
  }

  /** Adds a person to the workspace. */
  addUser(user: SlackUser): SlackUser {
    if (!/^[UW][A-Z0-9]{2,}$/.test(user.id)) throw new Error(`SlackSimulator: user id ${JSON.stringify(user.id)} is not a Slack user ID (U…)`);
    if (this.people.has(user.id)) throw new Error(`SlackSimulator: user ${user.id} already exists`);
    this.people.set(user.id, user);
    return user;
  }

  /** Where interactions are delivered (the app's interactivity Request URL). */
  setInteractivityUrl(url: string): void {
    this.interactivityUrl = url;
  }

  /**
   * `userId` clicks the button `actionId` of the message `ts` in `channel`: Slack sends the
   * signed `block_actions` request to the Request URL. Only a button the message currently shows
   * can be clicked (after a `chat.update` without it, it is gone). `atMs` backdates the request
   * (a stale one); the returned request can be sent again as it is ({@link deliverInteraction}).
   */
  async click(args: { channel: string; ts: string; actionId: string; userId: string; atMs?: number }): Promise<DeliveredInteraction> {
    const url = this.interactivityUrl;
    if (!url) throw new Error('SlackSimulator: no interactivity Request URL (setInteractivityUrl)');
    const message = this.postedMessages.find((m) => m.channel === args.channel && m.ts === args.ts);
    if (!message) throw new Error(`SlackSimulator: no message ${args.ts} in ${args.channel}`);
    const button = findButton(message, args.actionId);
    if (!button) throw new Error(`SlackSimulator: message ${args.ts} shows no button ${args.actionId}`);
    const user = this.people.get(args.userId);
    if (!user) throw new Error(`SlackSimulator: no user ${args.userId}`);
    const channel = this.channelDirectory.get(args.channel) as SlackChannel;
    const nowMs = args.atMs ?? Date.now();
    const responseUrl = `${this.baseUrl}${RESPONSE_URL_PREFIX}${mintOpaqueToken()}`;
    const payload = blockActionsPayload({ message, channel, button, user, identity: this.identity, responseUrl, nowMs });
    return deliver(signedInteraction(url, this.signingSecret, payload, Math.floor(nowMs / 1000)));
  }

  /** Sends an interaction request again, byte for byte (what an attacker who captured one can do). */
  deliverInteraction(request: InteractionRequest): Promise<DeliveredInteraction> {
    return deliver(request);
  }

  /** What the app posted to the `response_url`s of interactions, oldest first. */
  get responses(): readonly InteractionResponse[] {
    return this.interactionResponses;
  }

  /** Messages accepted by `chat.postMessage`, oldest first. */
  get messages(): readonly PostedMessage[] {
    return this.postedMessages;
  }

  /** Files finished by `files.completeUploadExternal`, oldest first, with their exact bytes. */
  get files(): readonly CompletedFile[] {
    return this.uploads.completed;
  }

  /** Uploads started by `files.getUploadURLExternal` and not completed yet. */
  get uploadTickets(): readonly UploadTicket[] {
    return this.uploads.pendingTickets();
  }

  /** Every request answered (API methods and the upload endpoint), oldest first; tokens redacted. */
  get calls(): readonly RecordedCall[] {
    return this.recordedCalls;
  }

  /** The recorded calls of one method (or of {@link UPLOAD_METHOD}). */
  callsTo(method: string): RecordedCall[] {
    return this.recordedCalls.filter((call) => call.method === method);
  }

  /** Forgets the recorded calls (state such as messages and files is kept). */
  resetCalls(): void {
    this.recordedCalls.length = 0;
  }

  /** Stops listening, drops open connections and pending delays; resolves once the server is closed. */
  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      for (const cancel of this.pendingDelays) cancel();
      this.pendingDelays.clear();
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    return this.closing;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const url = new URL(req.url ?? '/', this.baseUrl);
      const body = await readBody(req);
      if (url.pathname.startsWith(API_PREFIX)) await this.handleWebApi(req, res, url, body);
      else if (url.pathname.startsWith(UPLOAD_PREFIX)) await this.handleUpload(req, res, url, body);
      else if (url.pathname.startsWith(RESPONSE_URL_PREFIX) && req.method === 'POST') this.handleResponseUrl(res, url, body);
      else sendText(res, 404, 'Not Found');
    } catch (error) {
      // A client that went away mid-request is not a simulator problem.
      if (res.destroyed || req.destroyed) return;
      // Anything else is a bug in the simulator: make it visible in the test that hit it.
      console.error('SlackSimulator internal error:', error);
      sendJson(res, 500, { ok: false, error: 'internal_error' });
    }
  }

  private async handleWebApi(req: IncomingMessage, res: ServerResponse, url: URL, body: Buffer): Promise<void> {
    const method = safeDecode(url.pathname.slice(API_PREFIX.length));
    const httpMethod = req.method ?? 'GET';
    const contentType = req.headers['content-type'];
    const parsed = await parseWebApiRequest(httpMethod, url.searchParams, contentType, body);
    const args = parsed.ok ? parsed.request.args : Object.fromEntries(url.searchParams.entries());
    const presented = presentedToken(req.headers, parsed.ok ? parsed.request.formToken : undefined);
    const record = (status: number, reply: { ok: boolean; error?: unknown }, fault?: SlackFault['kind']): void => {
      this.recordedCalls.push({
        method,
        httpMethod,
        contentType,
        args: redactArgs(args),
        tokenSource: presented.source,
        status,
        ok: reply.ok,
        error: typeof reply.error === 'string' ? reply.error : undefined,
        fault,
        at: new Date(),
      });
    };

    const handler = METHODS.get(method);
    if (!handler) {
      // Slack answers an unknown method with 404 and `req_method` echoing the name
      // (body shape: dylex/slack-libpurple#180); the SDK turns the 404 into WebAPIHTTPError.
      const reply = { ok: false, error: 'unknown_method', req_method: method };
      record(404, reply);
      sendJson(res, 404, reply);
      return;
    }
    if (httpMethod !== 'GET' && httpMethod !== 'POST') {
      // Slack documents GET and POST only; its answer to other verbs is UNCONFIRMED.
      const reply = { ok: false, error: 'method_not_allowed' };
      record(405, reply);
      sendJson(res, 405, reply, { Allow: 'GET, POST' });
      return;
    }

    const fault = await this.answerWithFault(method, res);
    if (fault.answered) {
      record(fault.status, { ok: false, error: fault.error }, fault.kind);
      return;
    }

    const retryAfter = this.rateLimits.take(method);
    if (retryAfter !== undefined) {
      const limited = { ok: false, error: 'ratelimited' };
      record(429, limited);
      sendJson(res, 429, limited, { 'Retry-After': String(retryAfter) });
      return;
    }

    let reply: WebApiReply;
    if (!parsed.ok) {
      reply = platformError(parsed.error);
    } else {
      const rejected = authError(presented, this.validTokens);
      reply = rejected ? platformError(rejected) : handler(args, this.context);
    }
    withWarnings(reply, parsed.ok ? parsed.request.warnings : parsed.warnings);
    record(200, reply, fault.kind);
    sendJson(res, 200, reply);
  }

  /** A `response_url` accepts JSON messages (docs.slack.dev/interactivity/handling-user-interaction#message_responses). */
  private handleResponseUrl(res: ServerResponse, url: URL, body: Buffer): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      sendText(res, 400, 'invalid_payload');
      return;
    }
    this.interactionResponses.push({ responseUrl: url.href, body: parsed, at: new Date() });
    sendText(res, 200, 'ok');
  }

  private async handleUpload(req: IncomingMessage, res: ServerResponse, url: URL, body: Buffer): Promise<void> {
    const opaque = url.pathname.slice(UPLOAD_PREFIX.length);
    const httpMethod = req.method ?? 'GET';
    const contentType = req.headers['content-type'];
    const presented = presentedToken(req.headers, undefined);
    const record = (status: number, fileId: string | undefined, error: string | undefined, fault?: SlackFault['kind']): void => {
      this.recordedCalls.push({
        method: UPLOAD_METHOD,
        httpMethod,
        contentType,
        args: { fileId, bytes: body.length },
        tokenSource: presented.source,
        status,
        ok: status === 200,
        error,
        fault,
        at: new Date(),
      });
    };

    const fault = await this.answerWithFault(UPLOAD_METHOD, res);
    if (fault.answered) {
      record(fault.status, this.uploads.ticketForOpaque(opaque)?.fileId, fault.error, fault.kind);
      return;
    }
    if (httpMethod !== 'POST') {
      record(405, undefined, 'method_not_allowed', fault.kind);
      sendText(res, 405, 'Method Not Allowed', undefined, { Allow: 'POST' });
      return;
    }
    // The upload URL is the credential (Slack's are pre-signed); the SDK also sends its bearer
    // header (slack-liquid.md A3 step 2) but nothing depends on it.
    const outcome = await acceptUpload(this.uploads, opaque, contentType, body);
    record(outcome.status, outcome.fileId, outcome.error, fault.kind);
    sendText(res, outcome.status, outcome.text);
  }

  /**
   * Consumes the armed fault for `method`, if any. Every fault but `delay` answers the call
   * itself; `delay` waits, then lets the call through (or drops it if the simulator closed).
   */
  private async answerWithFault(
    method: string,
    res: ServerResponse,
  ): Promise<{ answered: true; status: number; error: string; kind: SlackFault['kind'] } | { answered: false; kind?: SlackFault['kind'] }> {
    const fault = this.faults.take(method);
    if (!fault) return { answered: false };
    switch (fault.kind) {
      case 'delay': {
        const completed = await this.sleep(fault.ms);
        if (!completed) {
          res.destroy();
          return { answered: true, status: 0, error: 'simulator_closed', kind: fault.kind };
        }
        return { answered: false, kind: fault.kind };
      }
      case 'rate_limited': {
        // slack-liquid.md A5: 429 with an integer Retry-After; `ratelimited` is Slack's error code for it.
        const reply = { ok: false, error: 'ratelimited' };
        sendJson(res, 429, reply, { 'Retry-After': String(fault.retryAfterSeconds) });
        return { answered: true, status: 429, error: reply.error, kind: fault.kind };
      }
      case 'http_error': {
        const body = fault.body ?? JSON.stringify({ ok: false, error: 'internal_error' });
        sendText(res, fault.status, body, isJson(body) ? 'application/json; charset=utf-8' : 'text/html; charset=utf-8');
        return { answered: true, status: fault.status, error: `http_${fault.status}`, kind: fault.kind };
      }
      case 'non_json': {
        // What an intermediary error page looks like; the SDK reports the raw text as the error (A4).
        const body = fault.body ?? '<html><body><h1>502 Bad Gateway</h1></body></html>';
        sendText(res, 200, body, 'text/html; charset=utf-8');
        return { answered: true, status: 200, error: 'non_json_body', kind: fault.kind };
      }
      case 'platform_error': {
        sendJson(res, 200, { ...fault.fields, ok: false, error: fault.error });
        return { answered: true, status: 200, error: fault.error, kind: fault.kind };
      }
    }
  }

  /** Resolves `true` after `ms`, or `false` at once if the simulator closes first. */
  private sleep(ms: number): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      const cancel = (): void => {
        clearTimeout(timer);
        this.pendingDelays.delete(cancel);
        resolve(false);
      };
      const timer = setTimeout(() => {
        this.pendingDelays.delete(cancel);
        resolve(true);
      }, ms);
      this.pendingDelays.add(cancel);
    });
  }
}

/**
 * Adds Slack's request-format warnings to a reply: the comma-separated `warning` field and the
 * `response_metadata.warnings` array (Slack API docs, "warnings"; the SDK logs the latter, A2).
 */
function withWarnings(reply: WebApiReply, warnings: readonly string[]): void {
  if (warnings.length === 0) return;
  const metadata = (reply.response_metadata ?? {}) as { warnings?: string[] };
  const all = [...(metadata.warnings ?? []), ...warnings];
  reply.warning = all.join(',');
  reply.response_metadata = { ...metadata, warnings: all };
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Percent-decodes a path segment; a malformed escape is kept as-is (and is then an unknown method). */
function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
