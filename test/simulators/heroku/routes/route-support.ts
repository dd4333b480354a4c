// What every route module needs: the shared services, app resolution with access control,
// OAuth scope checks, and paginated list answers.
import type { App, OAuthScope, WebhookEvent } from '../model';
import type { SimulatorState } from '../simulator-state';
import type { OAuthTokens } from '../oauth-tokens';
import type { WebhookSender } from '../webhook-sender';
import type { RateLimiter } from '../rate-limiter';
import type { RendezvousServer, DynoSession } from '../rendezvous';
import { appForbidden, appNotFound, insufficientScope, twoFactorRequired } from '../heroku-error';
import { paginate, type PageLimits, type RangeField } from '../range-pagination';
import type { ApiRequest, ApiResponse } from '../platform-api';
import type { FirState } from '../fir/fir-state';
import type { InsideServer } from '../fir/inside-server';

/** Services shared by the route modules and the simulator class. */
export interface PlatformServices {
  readonly state: SimulatorState;
  readonly tokens: OAuthTokens;
  readonly sender: WebhookSender;
  readonly rateLimiter: RateLimiter;
  readonly rendezvous: RendezvousServer;
  /** Dyno sessions by dyno id (the Rendezvous side of each dyno). */
  readonly sessions: Map<string, DynoSession>;
  readonly pageLimits: PageLimits;
  readonly rejectDuplicateWebhookUrls: boolean;
  /** Fir apps: formation dynos, OCI images, account keys, run-inside sessions. */
  readonly fir: { readonly state: FirState; readonly inside: InsideServer };
  /** Records an event (see event-payloads.ts newEvent) and queues deliveries to matching subscriptions. */
  publish(event: WebhookEvent): void;
}

/**
 * What a call needs from the authorization's scope (heroku.md §2 "Scope values"): `identity`
 * reads the account only, `read`/`write` exclude config vars, the `-protected` scopes include
 * them, `global` is everything. Which scope each endpoint really needs is undocumented (§9.2):
 * this is the reading of the scope descriptions, with dyno create needing `write-protected`.
 */
export type ScopeNeed = 'identity' | 'read' | 'write' | 'read-protected' | 'write-protected' | 'global';

const SATISFIES: Record<ScopeNeed, readonly OAuthScope[]> = {
  identity: ['identity', 'read', 'write', 'read-protected', 'write-protected', 'global'],
  read: ['read', 'write', 'read-protected', 'write-protected', 'global'],
  write: ['write', 'write-protected', 'global'],
  'read-protected': ['read-protected', 'write-protected', 'global'],
  'write-protected': ['write-protected', 'global'],
  global: ['global'],
};

export function requireScope(request: ApiRequest, need: ScopeNeed): void {
  if (!request.auth.authorization.scope.some((s) => SATISFIES[need].includes(s))) throw insufficientScope(need);
}

/**
 * The `{app_id_or_name}` of the path, visible to the caller: unknown → 404 not_found; someone
 * else's → 403 forbidden (see appForbidden); a two-factor app on a write call → 403 two_factor.
 */
export function resolveApp(services: PlatformServices, request: ApiRequest, options: { write: boolean }): App {
  const idOrName = request.params['app'] ?? '';
  const app = services.state.findApp(idOrName);
  if (!app) throw appNotFound();
  if (!services.state.canAccess(request.auth.account, app)) throw appForbidden(idOrName);
  if (options.write && app.twoFactor) throw twoFactorRequired(app.name);
  return app;
}

/** A Range-paginated list answer (heroku.md §1 "Pagination (Range)"). */
export function listResponse<T>(
  services: PlatformServices,
  request: ApiRequest,
  items: readonly T[],
  fields: readonly RangeField<T>[],
  render: (item: T) => unknown,
): ApiResponse {
  const page = paginate(items, request.range, fields, services.pageLimits);
  return { status: page.status, body: page.items.map(render), headers: page.headers };
}
