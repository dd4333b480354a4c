import Koa from 'koa';
import type { ApiContextExtras, ApiMiddleware, ApiState } from './context';
import { createConsole } from './console';
import type { ApiDeps } from './deps';
import { ADMIN_TOKEN_FAILURE_LIMITS, adminAuth } from './middleware/admin-auth';
import { AuthFailureLimiter } from './middleware/auth-failure-limiter';
import { jsonBody } from './middleware/body';
import { errorHandler } from './middleware/errors';
import { requestContext } from './middleware/request-context';
import { changeRoutes } from './routes/changes';
import { codecRoutes } from './routes/codec';
import { commandRunListRoutes } from './routes/command-run-list';
import { commandRunRoutes } from './routes/command-runs';
import { rollbackRoutes } from './routes/rollbacks';
import { healthRoutes } from './routes/health';
import { herokuWebhookRoutes } from './routes/heroku-webhooks';
import { incidentTimelineRoutes } from './routes/incident-timeline';
import { integrationListRoutes } from './routes/integration-list';
import { integrationRoutes } from './routes/integrations';
import { metricsRoutes } from './routes/metrics';
import { oauthCallbackRoutes } from './routes/oauth-callback';
import { pulseRoutes } from './routes/pulses';
import { serviceRoutes } from './routes/services';
import { approvalDecisionRoutes } from './routes/approval-decisions';
import { slackInteractionRoutes } from './routes/slack-interactions';
import { tracingMiddleware } from '../telemetry/koa-tracing';
import { tracingEnabled } from '../telemetry/tracing';

/** Runs `middleware` only for requests under `prefix` (e.g. the admin token check for /api). */
function under(prefix: string, middleware: ApiMiddleware): ApiMiddleware {
  return (ctx, next) => (ctx.path === prefix || ctx.path.startsWith(`${prefix}/`) ? middleware(ctx, next) : next());
}

/**
 * `/webhooks/heroku/*`, the hottest path (every Heroku delivery), outside /api (authenticated by
 * the delivery's HMAC signature, not the admin token): its body parser and router only, and
 * nothing after them, so a delivery skips the console, Slack and the other routers. A path or
 * method it does not serve ends as the 404/405 it would get at the end of the chain.
 */
function webhookReceiver(deps: ApiDeps, bodyParser: ApiMiddleware): ApiMiddleware {
  const router = herokuWebhookRoutes(deps);
  const routes = router.routes() as unknown as ApiMiddleware;
  const methods = router.allowedMethods() as unknown as ApiMiddleware;
  const end = () => Promise.resolve();
  return (ctx, next) => {
    if (!ctx.path.startsWith('/webhooks/heroku/')) return next();
    return bodyParser(ctx, () => routes(ctx, () => methods(ctx, end)));
  };
}

/**
 * The Koa application: request context, one error handler, body parsing, the admin token on
 * /api/*, then one router per feature (src/api/routes/*).
 */
export function createApi(deps: ApiDeps): Koa<ApiState, ApiContextExtras> {
  // Behind N trusted proxies, ctx.ip is the address the outermost one saw (X-Forwarded-For, N entries from the right).
  const hops = deps.config.trustedProxyHops;
  const app = new Koa<ApiState, ApiContextExtras>({ proxy: hops > 0, maxIpsCount: hops });
  // What reaches Koa's own error event happened outside our error middleware (a client that
  // timed out or sent garbage mid-request): log it as JSON, not on stderr.
  app.on('error', (err: Error & { status?: number; code?: string }) => {
    const clientCaused = (err.status !== undefined && err.status < 500) || ['ERR_HTTP_REQUEST_TIMEOUT', 'ECONNRESET', 'ECONNABORTED', 'EPIPE'].includes(err.code ?? '');
    deps.logger[clientCaused ? 'debug' : 'warn']({ err }, 'request stream error');
  });
  if (tracingEnabled()) app.use(tracingMiddleware());
  app.use(requestContext(deps.logger));
  app.use(errorHandler());
  const bodyParser = jsonBody({ limitBytes: 1024 * 1024 });
  app.use(webhookReceiver(deps, bodyParser));
  const adminConsole = createConsole(deps);
  // One count of wrong admin tokens per address, whichever route (/api or /codec) they were tried on.
  const adminFailures = new AuthFailureLimiter(ADMIN_TOKEN_FAILURE_LIMITS);
  app.use(under('/api', adminAuth(deps.config.adminApiToken, { sessions: adminConsole.sessions, failures: adminFailures })));
  app.use(adminConsole.pages); // before the JSON body parser: sign-in/out are form posts
  const slackInteractions = slackInteractionRoutes(deps); // before the JSON body parser too: form-encoded, signed bytes
  app.use(slackInteractions.routes()).use(slackInteractions.allowedMethods());
  app.use(bodyParser);

  for (const router of [
    healthRoutes(deps),
    metricsRoutes(deps), // GET /metrics: outside /api, no admin token (Prometheus), unless METRICS_ADDRESS moves it
    codecRoutes(deps, { sessions: adminConsole.readOnlySessions, failures: adminFailures }),
    integrationRoutes(deps),
    oauthCallbackRoutes(deps),
    serviceRoutes(deps),
    pulseRoutes(deps),
    changeRoutes(deps), // GET /api/changes: what changed before an instant (CONTRACT §6)
    incidentTimelineRoutes(deps),
    commandRunRoutes(deps),
    approvalDecisionRoutes(deps), // POST /api/command-runs/:id/approve|reject, /api/rollbacks/:id/approve|reject
    integrationListRoutes(deps), // GET /api/integrations/heroku: added for the console
    commandRunListRoutes(deps), // GET /api/command-runs: added for the console
    rollbackRoutes(deps), // POST/GET /api/rollbacks (CONTRACT §6)
    adminConsole.api,
  ]) {
    app.use(router.routes()).use(router.allowedMethods());
  }
  return app;
}
