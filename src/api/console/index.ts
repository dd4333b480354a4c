import type Router from '@koa/router';
import type { ApiContext, ApiContextExtras, ApiState } from '../context';
import type { ApiDeps } from '../deps';
import type { SessionAuthenticator } from '../middleware/admin-auth';
import { ConsoleAssets } from './assets';
import { ConsoleCookies } from './cookies';
import { checkCsrf, CSRF_HEADER, isStateChanging } from './csrf';
import { changePageRoutes } from './change-pages';
import { consolePageRoutes } from './page-routes';
import { rollbackPageRoutes } from './rollback-pages';
import { sandboxRoutes } from './sandbox-routes';
import { ConsoleSessionStore } from './session-store';
import { signInLimiter } from './sign-in-limiter';

export interface AdminConsole {
  /** Lets /api/* accept a console session instead of the bearer token (given to adminAuth). */
  sessions: SessionAuthenticator;
  /**
   * The same sessions without the CSRF check, for the codec endpoint only: the Temporal Web UI
   * (another origin, same site) sends the cookie with "Include cross-origin credentials" but knows
   * no CSRF token. Safe there because encode/decode change nothing and CORS lets only the UI's
   * origin read the answer.
   */
  readOnlySessions: SessionAuthenticator;
  /** Static assets, pages, sign-in/out: mount before the JSON body parser (the forms are urlencoded). */
  pages: ReturnType<Router<ApiState, ApiContextExtras>['routes']>;
  /** JSON routes of the console itself (/api/sandbox/* in sandbox mode); mount with the feature routers. */
  api: Router<ApiState, ApiContextExtras>;
}

/**
 * The admin console served at `/`: server-rendered page shells plus small static scripts that
 * call the same JSON API as every other client, authenticated by an httpOnly SameSite=Strict
 * session cookie and a CSRF token instead of the bearer token.
 */
export function createConsole(deps: ApiDeps): AdminConsole {
  const { config } = deps;
  const cookies = new ConsoleCookies(config.publicUrl);
  const store = config.adminApiToken === undefined ? undefined : new ConsoleSessionStore(deps.db, config.adminApiToken);
  const assets = ConsoleAssets.load();
  const pageRouter = consolePageRoutes({ config, sessions: store, cookies, limiter: signInLimiter() });
  const pageDeps = { db: deps.db, sessions: store, cookies, sandbox: config.sandboxControlUrl !== undefined };
  pageRouter.use(changePageRoutes(pageDeps).routes());
  pageRouter.use(rollbackPageRoutes(pageDeps).routes());
  const pages = pageRouter.routes();
  const findSession = async (ctx: ApiContext) => store?.find(cookies.read(ctx, cookies.sessionName));
  return {
    readOnlySessions: { authenticate: async (ctx) => (await findSession(ctx)) !== undefined },
    sessions: {
      async authenticate(ctx) {
        const session = await findSession(ctx);
        if (!session) return false;
        if (isStateChanging(ctx.method)) checkCsrf(ctx, session.csrfToken, ctx.get(CSRF_HEADER) || undefined);
        return true;
      },
    },
    pages: (ctx, next) => (assets.serve(ctx) ? Promise.resolve() : pages(ctx, next)),
    api: sandboxRoutes(deps),
  };
}
