// GET /account and GET /account/rate-limits (heroku.md §1 "RateLimit-Remaining", §2 "Which account installed").
import type { Router } from '../http-kit';
import type { ApiHandler } from '../platform-api';
import { renderAccount } from '../representations';
import { requireScope, type PlatformServices } from './route-support';

export function registerAccountRoutes(router: Router<ApiHandler>, services: PlatformServices): void {
  router.add('GET', '/account', (request) => {
    requireScope(request, 'identity');
    return { status: 200, body: renderAccount(request.auth.account) };
  });

  // Does not cost a token (the pipeline skips it); answers what is left.
  router.add('GET', '/account/rate-limits', (request) => ({
    status: 200,
    body: { remaining: services.rateLimiter.remaining(request.auth.account.id) },
  }));
}
