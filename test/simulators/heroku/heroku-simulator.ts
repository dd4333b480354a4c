// The simulated Heroku: Platform API (`apiUrl`), id.heroku.com (`idUrl`), the app-webhook
// sender and the Rendezvous server, sharing one in-memory state. See heroku.md §1–6, §8–9.
import { randomUUID } from 'node:crypto';
import * as changes from './app-changes';
import type { CallRecord } from './call-log';
import { deploy, type DeployOptions, type DeploySummary } from './deploy';
import { newEvent } from './event-payloads';
import { FaultInjector } from './faults';
import { listen, Router, type Listener } from './http-kit';
import type { JsonLayout } from './json-bytes';
import { renderRelease } from './representations';
import { OAUTH_SCOPES, type Account, type App, type OAuthClient, type OAuthScope, type Release, type WebhookEvent, type WebhookSubscription } from './model';
import { OAuthIdServer } from './oauth-id-server';
import { OAuthTokens } from './oauth-tokens';
import { PlatformApi, type ApiHandler, type ControlHandler } from './platform-api';
import { HEROKU_RATE_LIMIT, RateLimiter, type RateLimitOptions } from './rate-limiter';
import { RendezvousServer, type DynoSession, type RendezvousServerOptions } from './rendezvous';
import { registerAccountRoutes } from './routes/account-routes';
import { FirState, type FirDyno } from './fir/fir-state';
import { InsideServer, type InsideSession } from './fir/inside-server';
import { registerFirRoutes } from './fir/fir-routes';
import { registerAppRoutes } from './routes/app-routes';
import { registerDynoRoutes } from './routes/dyno-routes';
import { registerReleaseRoutes } from './routes/release-routes';
import { registerOAuthAuthorizationRoutes } from './routes/oauth-authorization-routes';
import type { PlatformServices } from './routes/route-support';
import { registerSimControlRoutes } from './routes/sim-control-routes';
import { registerWebhookRoutes } from './routes/webhook-routes';
import { SimulatorState } from './simulator-state';
import type { DeliveryRecord } from './webhook-delivery';
import { WebhookSender, type PostResult, type WebhookRetryOptions } from './webhook-sender';

/** An OAuth client to register (heroku.md §2 "Client registration"). */
export interface OAuthClientSpec {
  id: string;
  secret: string;
  name?: string;
  /** Registered callback; without it the authorize request must carry `redirect_uri`. */
  redirectUri?: string;
}

export interface HerokuSimulatorOptions {
  /** Registered OAuth clients. */
  oauthClients?: OAuthClientSpec[];
  /** Added to every Platform API response (benchmarks use 50). */
  latencyMs?: number;
  /** Per-account token bucket; default 4500 / 75 per minute (heroku.md §1). */
  rateLimit?: RateLimitOptions;
  /** Page size of list endpoints when the Range header names no max; default 200 (heroku.md §1). */
  pageSize?: number;
  /**
   * Largest page answered even if the client asks for more. Default: 1000 (Heroku), or
   * `pageSize` when `pageSize` is given, so that tests forcing paging with a small `pageSize`
   * also page clients that send `max=1000` (as heroku-client does).
   */
  maxPageSize?: number;
  /** Access-token lifetime; default 28800 (8 h, heroku.md §2). */
  accessTokenTtlSeconds?: number;
  /** Refresh returns a new refresh token and kills the old one; default true (unconfirmed for Heroku, §9.1). */
  rotateRefreshTokens?: boolean;
  /** Back-off of `sync` deliveries; default 8 attempts, 50 ms doubling, capped at 1000 ms. */
  webhookRetry?: WebhookRetryOptions;
  /** Per-attempt delivery timeout; default 10 000 ms (the real value is undocumented, §9.3). */
  webhookTimeoutMs?: number;
  /** Byte layout of delivery bodies; default `spaced` (see json-bytes.ts). */
  webhookJsonLayout?: JsonLayout;
  /** Answer 422 when an app already has a webhook with the same URL ([U]: not confirmed for Heroku). Default false. */
  rejectDuplicateWebhookUrls?: boolean;
  /** Options of the Rendezvous server started with the simulator. */
  rendezvous?: RendezvousServerOptions;
}

/** Tokens handed out by {@link HerokuSimulator.authorize} (the OAuth dance without a browser). */
export interface IssuedCredentials {
  readonly authorizationId: string;
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly expiresAt: Date;
}

/**
 * A faithful, strict simulation of the parts of Heroku that dynopulse talks to.
 *
 * - `apiUrl`: the Platform API (`HEROKU_API_URL`). Requires the version `Accept` header, a valid
 *   bearer token, per-account rate limiting, Range pagination; simulator-only control routes live
 *   under `apiUrl + "/__sim/..."` (no Heroku auth; see routes/sim-control-routes.ts).
 * - `idUrl`: id.heroku.com (`HEROKU_ID_URL`): `/oauth/authorize` and `/oauth/token`. Token errors
 *   use the Platform API error shape `{"id":"unauthorized","message":...}` (see oauth-id-server.ts).
 * - Webhook deliveries signed over the raw bytes, with sync retries and delivery faults.
 * - One-off dynos backed by {@link RendezvousServer}.
 *
 * Start with {@link HerokuSimulator.start}; always {@link HerokuSimulator.close}.
 */
export class HerokuSimulator {
  /** Platform API base URL (no trailing slash). */
  readonly apiUrl: string;
  /** id.heroku.com base URL (no trailing slash). */
  readonly idUrl: string;
  /** Inject Platform API / id.heroku.com failures: `sim.faults.add({ method, path, status | delayMs | reset, times })`. */
  readonly faults: FaultInjector;
  /** The Rendezvous server behind `attach_url`s. */
  readonly rendezvous: RendezvousServer;
  /** Added to every Platform API response; can be changed at any time. */
  latencyMs: number;
  /** What the browser user answers on the authorize step: `deny` redirects with `error=access_denied`. */
  consent: 'allow' | 'deny' = 'allow';
  /** Handler crashes (simulator bugs, answered 500). Tests may assert it stays empty. */
  readonly internalErrors: readonly unknown[];

  private readonly state: SimulatorState;
  private readonly tokens: OAuthTokens;
  private readonly sender: WebhookSender;
  private readonly services: PlatformServices;
  private readonly callLog: CallRecord[];
  private readonly listeners: Listener[];
  /** undefined: the first account; null: nobody is logged in. */
  private browserUserId: string | null | undefined = undefined;
  private closed = false;

  private constructor(init: {
    apiListener: Listener;
    idListener: Listener;
    state: SimulatorState;
    tokens: OAuthTokens;
    sender: WebhookSender;
    services: PlatformServices;
    faults: FaultInjector;
    calls: CallRecord[];
    internalErrors: unknown[];
    latencyMs: number;
    rendezvous: RendezvousServer;
  }) {
    this.internalErrors = init.internalErrors;
    this.apiUrl = init.apiListener.url;
    this.idUrl = init.idListener.url;
    this.listeners = [init.apiListener, init.idListener];
    this.state = init.state;
    this.tokens = init.tokens;
    this.sender = init.sender;
    this.services = init.services;
    this.faults = init.faults;
    this.callLog = init.calls;
    this.latencyMs = init.latencyMs;
    this.rendezvous = init.rendezvous;
  }

  /** Starts both listeners (127.0.0.1, random ports) and the Rendezvous server. */
  static async start(options: HerokuSimulatorOptions = {}): Promise<HerokuSimulator> {
    const state = new SimulatorState();
    const tokens = new OAuthTokens(state, {
      accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? 28_800,
      rotateRefreshTokens: options.rotateRefreshTokens ?? true,
      codeTtlSeconds: 600,
    });
    const sender = new WebhookSender(
      {
        retry: options.webhookRetry ?? { maxAttempts: 8, baseDelayMs: 50, maxDelayMs: 1000 },
        timeoutMs: options.webhookTimeoutMs ?? 10_000,
        layout: options.webhookJsonLayout ?? 'spaced',
      },
      (id) => state.webhooks.get(id),
    );
    const rateLimiter = new RateLimiter(options.rateLimit ?? HEROKU_RATE_LIMIT);
    const faults = new FaultInjector();
    const calls: CallRecord[] = [];
    const rendezvous = await RendezvousServer.start(options.rendezvous);
    const inside = await InsideServer.start();
    const pageSize = options.pageSize ?? 200;
    const services: PlatformServices = {
      state,
      tokens,
      sender,
      rateLimiter,
      rendezvous,
      sessions: new Map<string, DynoSession>(),
      pageLimits: { defaultMax: pageSize, maxPageSize: options.maxPageSize ?? (options.pageSize !== undefined ? pageSize : 1000) },
      rejectDuplicateWebhookUrls: options.rejectDuplicateWebhookUrls ?? false,
      fir: { state: new FirState(), inside },
      publish: (event) => {
        const subscriptions = state.webhooksOf(event.appId).filter((w) => (w.include as string[]).includes(event.include));
        // Heroku records webhook events for subscribed entities only.
        if (subscriptions.length === 0) return;
        state.events.set(event.id, event);
        sender.enqueue(event, subscriptions);
      },
    };

    // The listeners are built before the instance exists; they reach it through this holder.
    const self: { sim?: HerokuSimulator } = {};
    const internalErrors: unknown[] = [];
    const onInternalError = (error: unknown): void => {
      internalErrors.push(error);
      console.error('[heroku simulator] internal error:', error);
    };
    const routes = new Router<ApiHandler>();
    registerAccountRoutes(routes, services);
    registerAppRoutes(routes, services);
    registerWebhookRoutes(routes, services);
    registerDynoRoutes(routes, services);
    registerFirRoutes(routes, services);
    registerReleaseRoutes(routes, services);
    registerOAuthAuthorizationRoutes(routes, services);
    const control = new Router<ControlHandler>();
    registerSimControlRoutes(control, () => {
      if (!self.sim) throw new Error('simulator not started');
      return self.sim;
    });
    const api = new PlatformApi({
      tokens,
      rateLimiter,
      faults,
      calls,
      latencyMs: () => self.sim?.latencyMs ?? 0,
      routes,
      control,
      onInternalError,
    });
    const id = new OAuthIdServer({
      state,
      tokens,
      faults,
      calls,
      browserUser: () => self.sim?.browserUser(),
      consent: () => self.sim?.consent ?? 'allow',
      onInternalError,
    });
    let apiListener: Listener | undefined;
    let idListener: Listener | undefined;
    try {
      apiListener = await listen(api.handle);
      idListener = await listen(id.handle);
    } catch (error) {
      await apiListener?.close();
      await rendezvous.close();
      await inside.close();
      throw error;
    }
    const simulator = new HerokuSimulator({
      apiListener,
      idListener,
      state,
      tokens,
      sender,
      services,
      faults,
      calls,
      internalErrors,
      latencyMs: options.latencyMs ?? 0,
      rendezvous,
    });
    self.sim = simulator;
    for (const client of options.oauthClients ?? []) simulator.registerOAuthClient(client);
    return simulator;
  }

  // ---- accounts, apps, OAuth -------------------------------------------------------------

  /** Registers an OAuth client (Dashboard → Applications). */
  registerOAuthClient(spec: OAuthClientSpec): OAuthClient {
    const client: OAuthClient = { id: spec.id, secret: spec.secret, name: spec.name ?? spec.id, redirectUri: spec.redirectUri ?? null };
    this.state.clients.set(client.id, client);
    return client;
  }

  /** Creates an account. The first account is the default browser user of id.heroku.com. */
  createAccount(input: { email: string; name?: string }): Account {
    if (this.state.accountByEmail(input.email)) throw new Error(`an account with email ${input.email} already exists`);
    const account: Account = { id: randomUUID(), email: input.email, name: input.name ?? null, createdAt: new Date() };
    this.state.accounts.set(account.id, account);
    return account;
  }

  /**
   * Creates an app owned by `owner` (an account id) with releases v1 "Initial release" and
   * v2 "Enable Logplex" like a freshly created Heroku app, so the first deploy is v3.
   */
  createApp(input: {
    name: string;
    owner: string;
    twoFactor?: boolean;
    configVars?: Record<string, string>;
    collaborators?: string[];
    /** `fir`: a Fir-generation app whose formation runs `formation` dynos (default one `web`), each `up`. */
    generation?: 'cedar' | 'fir';
    formation?: Record<string, number>;
  }): App {
    if (!/^[a-z][a-z0-9-]{2,29}$/.test(input.name)) {
      throw new Error(`invalid app name ${JSON.stringify(input.name)}: lowercase letters, digits and dashes, 3-30 chars, starting with a letter`);
    }
    if (this.state.findApp(input.name)) throw new Error(`app ${input.name} already exists`);
    const owner = this.account(input.owner);
    for (const id of input.collaborators ?? []) this.account(id);
    const now = new Date();
    const app: App = {
      id: randomUUID(),
      name: input.name,
      ownerId: owner.id,
      collaboratorIds: [...(input.collaborators ?? [])],
      twoFactor: input.twoFactor ?? false,
      generation: input.generation ?? 'cedar',
      configVars: new Map(Object.entries(input.configVars ?? {})),
      createdAt: now,
      updatedAt: now,
      releasedAt: now,
      maintenance: false,
    };
    this.state.apps.set(app.id, app);
    const release = (version: number, description: string, current: boolean): Release => ({
      id: randomUUID(),
      appId: app.id,
      version,
      description,
      userId: owner.id,
      slugId: null,
      status: 'succeeded',
      current,
      releasePhase: false,
      createdAt: now,
      updatedAt: now,
    });
    for (const r of [release(1, 'Initial release', false), release(2, 'Enable Logplex', true)]) this.state.releases.set(r.id, r);
    if (app.generation === 'fir') {
      const current = this.state.currentRelease(app.id);
      for (const [type, count] of Object.entries(input.formation ?? { web: 1 })) {
        for (let i = 0; i < count; i++) this.services.fir.state.addDyno({ appId: app.id, type, command: type === 'web' ? 'npm start' : `npm run ${type}`, releaseId: current?.id ?? '', releaseVersion: current?.version ?? 2 });
      }
    }
    return app;
  }

  /** Sets a config var directly (no release, no event): state set-up for tests. */
  setConfigVar(app: string, key: string, value: string): void {
    const found = this.app(app);
    found.configVars.set(key, value);
    found.updatedAt = new Date();
  }

  /** Who is "logged in" on id.heroku.com for the authorize redirect (`null`: nobody). Default: the first account. */
  setBrowserUser(accountId: string | null): void {
    if (accountId !== null) this.account(accountId);
    this.browserUserId = accountId;
  }

  /**
   * Issues tokens as if `accountId` had gone through the OAuth web flow for `clientId`
   * (default: the first registered client) with `scope` (default `global`).
   */
  authorize(accountId: string, options: { clientId?: string; scope?: OAuthScope[] } = {}): IssuedCredentials {
    const account = this.account(accountId);
    const clientId = options.clientId ?? [...this.state.clients.keys()][0] ?? null;
    if (clientId !== null && !this.state.clients.has(clientId)) throw new Error(`unknown OAuth client ${clientId}`);
    const scope = options.scope ?? ['global'];
    if (scope.length === 0 || scope.some((s) => !OAUTH_SCOPES.includes(s))) throw new Error(`invalid scope ${scope.join(',')}`);
    const authorization = this.tokens.createAuthorization(account.id, clientId, scope);
    const issued = this.tokens.issue(authorization);
    return {
      authorizationId: authorization.id,
      accessToken: issued.accessToken.token,
      refreshToken: issued.refreshToken.token,
      expiresAt: issued.accessToken.expiresAt,
    };
  }

  /** Makes the current access tokens (of one account, or of everyone) answer 401, so clients must refresh. Returns how many expired. */
  expireAccessTokens(accountId?: string): number {
    return this.tokens.expireAccessTokens(accountId);
  }

  /** The user revoked this authorization in Dashboard: its access and refresh tokens die. */
  revokeAuthorization(authorizationId: string): boolean {
    return this.tokens.revoke(authorizationId);
  }

  /** Revokes every authorization of the account. Returns how many. */
  revokeAllAuthorizations(accountId: string): number {
    return this.state.authorizationsOf(accountId).filter((a) => this.tokens.revoke(a.id)).length;
  }

  /**
   * Every access and refresh token string the simulator ever issued (also rotated, expired and
   * revoked ones), so a test can check that none leaked into logs or workflow histories.
   */
  issuedTokens(): readonly string[] {
    return [...this.tokens.issued];
  }

  /** Live (unrevoked) authorizations of an account, e.g. to find the one a client created. */
  authorizationsOf(accountId: string): { id: string; clientId: string | null; scope: OAuthScope[]; createdAt: Date }[] {
    return this.state.authorizationsOf(accountId).map((a) => ({ id: a.id, clientId: a.clientId, scope: [...a.scope], createdAt: a.createdAt }));
  }

  // ---- webhooks and events ---------------------------------------------------------------

  /**
   * Simulates a deploy: build and release records change, the §5.1/§5.2 event sequence goes to
   * the app's subscriptions. Resolves once the events are queued (not delivered: use
   * {@link waitForDeliveriesSettled}).
   */
  deploy(appName: string, options: DeployOptions = {}): Promise<DeploySummary> {
    return Promise.resolve().then(() => deploy(this.services, this.app(appName), options));
  }

  // ---- changes other than deploys (app-changes.ts: events and the shapes they follow) ----

  /** `config:set`: a release `Set A, B config vars` (create + final update). */
  setConfigVars(appName: string, vars: Record<string, string>, options: changes.ChangeOptions = {}): Release {
    return changes.setConfigVars(this.services, this.app(appName), vars, options);
  }

  /** `config:unset`: a release `Remove A config vars`. */
  removeConfigVars(appName: string, names: string[], options: changes.ChangeOptions = {}): Release {
    return changes.removeConfigVars(this.services, this.app(appName), names, options);
  }

  /** `ps:scale type=N:size`: an api:formation create (first time) or update. */
  scale(appName: string, type: string, change: { quantity?: number; size?: string }, options: changes.ChangeOptions = {}): { id: string; quantity: number; size: string } {
    const f = changes.scale(this.services, this.app(appName), type, change, options);
    return { id: f.id, quantity: f.quantity, size: f.size };
  }

  /** `addons:create`: api:addon create + update, and the `Attach …` release. Returns the add-on's name. */
  createAddon(appName: string, input: { plan: string; attachmentName?: string; configValue?: string }, options: changes.ChangeOptions = {}): string {
    return changes.createAddon(this.services, this.app(appName), input, options).name;
  }

  /** `addons:upgrade`: an api:addon update with the new plan. */
  changeAddonPlan(appName: string, addonName: string, plan: string, options: changes.ChangeOptions = {}): void {
    changes.changeAddonPlan(this.services, this.app(appName), addonName, plan, options);
  }

  /** `addons:destroy`: the `Detach …` release, then api:addon destroy. */
  destroyAddon(appName: string, addonName: string, options: changes.ChangeOptions = {}): void {
    changes.destroyAddon(this.services, this.app(appName), addonName, options);
  }

  /** `maintenance:on|off`: an api:app update. */
  setMaintenance(appName: string, on: boolean, options: changes.ChangeOptions = {}): void {
    changes.setMaintenance(this.services, this.app(appName), on, options);
  }

  /** `apps:rename`: the app answers to the new name only; an api:app update carries it. */
  renameApp(appName: string, newName: string, options: changes.ChangeOptions = {}): void {
    changes.renameApp(this.services, this.app(appName), newName, options);
  }

  /** Publishes one raw event (`entity` = include name such as `api:app`); `data` is sent as given. */
  emitEvent(appName: string, entity: string, action: string, data: Record<string, unknown>, options: { actor?: string } = {}): WebhookEvent {
    const app = this.app(appName);
    const actor = this.account(options.actor ?? app.ownerId);
    const event = newEvent({ app, include: entity, action, actor: { id: actor.id, email: actor.email }, data });
    this.services.publish(event);
    return event;
  }

  /** The app's subscriptions including their secrets and authorization values (for assertions). */
  webhooksOf(appName: string): WebhookSubscription[] {
    return this.state.webhooksOf(this.app(appName).id).map((w) => ({ ...w, include: [...w.include] }));
  }

  /** Every delivery so far, with its attempts (headers, raw bytes, response status). */
  get deliveries(): readonly DeliveryRecord[] {
    return this.sender.deliveries;
  }

  /** Resolves when no delivery is pending or retrying (each succeeded or failed). */
  waitForDeliveriesSettled(): Promise<void> {
    return this.sender.waitForSettled();
  }

  /** The next `n` delivery attempts carry a wrong (but well-formed) signature. */
  forgeNextDeliveries(n: number): void {
    this.sender.faults.forgeNext += n;
  }

  /** The next `n` deliveries are POSTed twice with identical bytes. */
  duplicateNextDeliveries(n: number): void {
    this.sender.faults.duplicateNext += n;
  }

  /** Delay added before every delivery attempt. */
  get delayDeliveriesMs(): number {
    return this.sender.faults.delayMs;
  }

  set delayDeliveriesMs(ms: number) {
    this.sender.faults.delayMs = ms;
  }

  /** POSTs `body` (an object, serialised in the delivery layout, or an exact string) signed with `secret`. */
  sendSigned(url: string, secret: string, body: object | string, extraHeaders?: Record<string, string>): Promise<PostResult> {
    return this.sender.sendSigned(url, secret, body, extraHeaders);
  }

  // ---- releases ----------------------------------------------------------------------------

  /** The app's releases, oldest first, as `GET /apps/{app}/releases` renders them. */
  releases(appName: string): { id: string; version: number; description: string; status: string; current: boolean; eligible_for_rollback: boolean }[] {
    const app = this.app(appName);
    return this.state
      .releasesOf(app.id)
      .sort((a, b) => a.version - b.version)
      .map((r) => renderRelease(this.state, r) as { id: string; version: number; description: string; status: string; current: boolean; eligible_for_rollback: boolean });
  }

  /** Sets a release's status (e.g. `failed`: no longer eligible for rollback); state set-up for tests. */
  setReleaseStatus(appName: string, version: number, status: Release['status']): void {
    const release = this.state.releasesOf(this.app(appName).id).find((r) => r.version === version);
    if (!release) throw new Error(`app ${appName} has no release v${version}`);
    release.status = status;
  }

  /**
   * What Heroku's retention policy does to an old release (changelog 3395): its artifact (the OCI
   * image on Fir, the slug on Cedar) is destroyed and its status becomes `expired`, so it is no
   * longer `eligible_for_rollback`. Returns the destroyed artifact's id.
   */
  expireRelease(appName: string, version: number): string | null {
    const release = this.state.releasesOf(this.app(appName).id).find((r) => r.version === version);
    if (!release) throw new Error(`app ${appName} has no release v${version}`);
    release.status = 'expired';
    if (release.ociImageId) this.services.fir.state.ociImages.delete(release.ociImageId);
    if (release.slugId) this.state.slugs.delete(release.slugId);
    return release.ociImageId ?? release.slugId;
  }

  /** The OCI image a Fir release points at (null on Cedar and for config-only releases). */
  releaseOciImage(appName: string, version: number): string | null {
    const release = this.state.releasesOf(this.app(appName).id).find((r) => r.version === version);
    if (!release) throw new Error(`app ${appName} has no release v${version}`);
    return release.ociImageId ?? null;
  }

  /** Destroys an app (as `heroku apps:destroy`): every later call about it answers 404. */
  destroyApp(appName: string): void {
    this.state.apps.delete(this.app(appName).id);
  }

  // ---- dynos, calls, lifecycle -----------------------------------------------------------

  /** The Rendezvous sessions of the app's dynos (running and ended), oldest first. */
  dynos(appName: string): DynoSession[] {
    const app = this.app(appName);
    return this.state
      .dynosOf(app.id)
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())
      .map((d) => this.services.sessions.get(d.id))
      .filter((s): s is DynoSession => s !== undefined);
  }

  /** The formation dynos of a Fir app (`web-848cd4f64d-pvpr2`…). */
  firDynos(appName: string): FirDyno[] {
    return this.services.fir.state.dynosOf(this.app(appName).id);
  }

  /** Sets a Fir dyno's state (e.g. `crashed`, `starting`) as the Platform API will report it. */
  setFirDynoState(appName: string, dynoName: string, state: FirDyno['state']): void {
    const dyno = this.firDynos(appName).find((d) => d.name === dynoName);
    if (!dyno) throw new Error(`no dyno ${dynoName} on ${appName}`);
    dyno.state = state;
  }

  /** The run-inside sessions of a Fir app, oldest first. */
  insideSessions(appName: string): InsideSession[] {
    return this.services.fir.inside.sessions.filter((s) => s.spec.appName === appName);
  }

  /** The dyno restarts: its run-inside sessions end at once, their commands killed, no exit status sent. */
  restartFirDyno(dynoName: string): Promise<void> {
    return this.services.fir.inside.restartDyno(dynoName);
  }

  /** The run-inside SSH host key, as `SHA256:…`. */
  get insideHostKeyFingerprint(): string {
    return this.services.fir.inside.hostKeyFingerprint;
  }

  /** SSH public keys registered on an account (`/account/keys`). */
  accountKeys(accountIdOrEmail: string): { id: string; publicKey: string; fingerprint: string }[] {
    return this.services.fir.state.keysOf(this.account(accountIdOrEmail).id).map((k) => ({ id: k.id, publicKey: k.publicKey, fingerprint: k.fingerprint }));
  }

  /** Every Platform API / id.heroku.com request answered so far (control routes excluded). */
  get calls(): readonly CallRecord[] {
    return this.callLog;
  }

  resetCalls(): void {
    this.callLog.length = 0;
  }

  /** Closes the listeners, stops deliveries and retries, kills every dyno. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.listeners.map((l) => l.close()));
    await this.sender.close();
    await this.rendezvous.close();
    await this.services.fir.inside.close();
  }

  /** The browser user of id.heroku.com. */
  browserUser(): Account | undefined {
    if (this.browserUserId === null) return undefined;
    if (this.browserUserId !== undefined) return this.state.accounts.get(this.browserUserId);
    return this.state.accounts.values().next().value;
  }

  /** An account by id or email; throws when unknown. */
  account(idOrEmail: string): Account {
    const account = this.state.accounts.get(idOrEmail) ?? this.state.accountByEmail(idOrEmail);
    if (!account) throw new Error(`unknown account ${idOrEmail}`);
    return account;
  }

  /** An app by name or id; throws when unknown. */
  app(nameOrId: string): App {
    const app = this.state.findApp(nameOrId);
    if (!app) throw new Error(`unknown app ${nameOrId}`);
    return app;
  }
}
