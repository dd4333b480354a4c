import Router from '@koa/router';
import type { Config } from '../../config';
import type { AuthFailureLimiter } from '../middleware/auth-failure-limiter';
import type { ApiContext, ApiContextExtras, ApiState } from '../context';
import { HttpError } from '../http-error';
import type { ConsoleCookies } from './cookies';
import { checkCsrf, isSameOrigin } from './csrf';
import { readForm } from './form-body';
import { localPath } from './local-path';
import { appShell, CONSOLE_PAGES } from './pages/app-shell';
import { continuePage, errorPage } from './pages/message-pages';
import { signInPage } from './pages/sign-in-page';
import { setConsoleSecurityHeaders } from './security-headers';
import type { ConsoleSessionStore } from './session-store';
import { newSessionToken, sameSecret } from './session-tokens';

export interface PageRouteDeps {
  config: Config;
  /** undefined when ADMIN_API_TOKEN is unset: the console stays closed. */
  sessions: ConsoleSessionStore | undefined;
  cookies: ConsoleCookies;
  limiter: AuthFailureLimiter;
}

const SIGN_IN_FORM_TTL_SECONDS = 60 * 60;

/**
 * The console's HTML: sign-in and sign-out (classic form posts, so they are mounted before the
 * JSON body parser), and the page shells the scripts fill from /api.
 */
export function consolePageRoutes(deps: PageRouteDeps): Router<ApiState, ApiContextExtras> {
  const { config, sessions, cookies, limiter } = deps;
  const router = new Router<ApiState, ApiContextExtras>();
  const sandbox = config.sandboxControlUrl !== undefined;
  const temporalWorkflowsUrl = config.temporal.uiUrl ? `${config.temporal.uiUrl}/namespaces/${encodeURIComponent(config.temporal.namespace)}/workflows` : undefined;

  router.get('/', (ctx) => {
    ctx.redirect('/integrations');
  });

  router.get('/sign-in', async (ctx) => {
    const next = localPath(String(ctx.query['next'] ?? ''));
    if (await sessions?.find(cookies.read(ctx, cookies.sessionName))) {
      ctx.redirect(next);
      return;
    }
    renderSignIn(ctx, 200, next);
  });

  router.post('/sign-in', async (ctx) => {
    if (!sessions) return renderSignIn(ctx, 503, '/integrations');
    const form = await readForm(ctx);
    const next = localPath(form.get('next'));
    const expectedCsrf = cookies.read(ctx, cookies.signInName);
    if (!expectedCsrf || !sameSecret(form.get('csrf') ?? '', expectedCsrf) || !isSameOrigin(ctx)) {
      return renderSignIn(ctx, 403, next, 'The sign-in form expired or came from another site. Please sign in again.');
    }
    const wait = limiter.retryAfterSeconds(ctx.ip);
    if (wait > 0) {
      ctx.set('Retry-After', String(wait));
      return renderSignIn(ctx, 429, next, `Too many failed sign-ins. Try again in ${wait} seconds.`);
    }
    if (!sameSecret(form.get('token') ?? '', config.adminApiToken as string)) {
      limiter.recordFailure(ctx.ip);
      ctx.state.log.warn({ ip: ctx.ip }, 'console sign-in refused: wrong admin token');
      return renderSignIn(ctx, 401, next, 'That is not the admin token.');
    }
    limiter.recordSuccess(ctx.ip);
    const session = await sessions.create();
    cookies.write(ctx, cookies.sessionName, session.token, (session.expiresAt.getTime() - Date.now()) / 1000);
    cookies.clear(ctx, cookies.signInName);
    ctx.state.log.info({ ip: ctx.ip }, 'console sign-in');
    ctx.status = 303;
    ctx.redirect(next);
  });

  router.post('/sign-out', async (ctx) => {
    const form = await readForm(ctx);
    const token = cookies.read(ctx, cookies.sessionName);
    const session = await sessions?.find(token);
    if (session) {
      try {
        checkCsrf(ctx, session.csrfToken, form.get('csrf') ?? undefined);
      } catch (err) {
        if (!(err instanceof HttpError)) throw err;
        return renderPage(ctx, err.status, errorPage('Not signed out', err.message));
      }
      await sessions?.destroy(session.token);
    }
    cookies.clear(ctx, cookies.sessionName);
    ctx.status = 303;
    ctx.redirect('/sign-in');
  });

  for (const page of CONSOLE_PAGES) {
    if (page.sandboxOnly && !sandbox) continue;
    router.get(page.path, async (ctx) => {
      const id = ctx.params['id'];
      if (id !== undefined && !/^[A-Za-z0-9._:-]{1,200}$/.test(id)) {
        return renderPage(ctx, 404, errorPage('Not found', `There is no ${page.title.toLowerCase()} ${id}.`));
      }
      const session = await sessions?.find(cookies.read(ctx, cookies.sessionName));
      if (!session) return answerSignedOut(ctx);
      renderPage(ctx, 200, appShell({ page, id, csrfToken: session.csrfToken, sandbox, temporalWorkflowsUrl }));
    });
  }

  function renderSignIn(ctx: ApiContext, status: number, next: string, error?: string): void {
    const csrf = newSessionToken();
    cookies.write(ctx, cookies.signInName, csrf, SIGN_IN_FORM_TTL_SECONDS);
    renderPage(ctx, status, signInPage({ csrf, next, error, disabled: sessions === undefined }));
  }

  return router;
}

/** A page request without a session: sign in first, unless the cookie was only withheld by SameSite (see continuePage). */
export function answerSignedOut(ctx: ApiContext): void {
  const here = localPath(`${ctx.path}${ctx.search}`);
  if (ctx.get('sec-fetch-site') === 'cross-site') return renderPage(ctx, 200, continuePage(here));
  ctx.redirect(`/sign-in?next=${encodeURIComponent(here)}`);
}

export function renderPage(ctx: ApiContext, status: number, body: string): void {
  setConsoleSecurityHeaders(ctx);
  // Pages carry CSRF tokens: never store them in a shared or back/forward cache.
  ctx.set('Cache-Control', 'no-store');
  ctx.status = status;
  ctx.type = 'text/html; charset=utf-8';
  ctx.body = body;
}
