import Router from '@koa/router';
import { METRICS_CONTENT_TYPE, renderMetrics } from '../../metrics/exposition';
import type { ApiContextExtras, ApiState } from '../context';
import type { ApiDeps } from '../deps';

/**
 * `GET /metrics` in Prometheus text format, outside /api and without the admin token (Prometheus
 * scrapes plainly; the content is counts and latencies by route template and outcome, no ids, no
 * secrets). With METRICS_ADDRESS set, metrics move to that listener and this route does not exist,
 * so the public API port need not expose them.
 */
export function metricsRoutes(deps: Pick<ApiDeps, 'config'>): Router<ApiState, ApiContextExtras> {
  const router = new Router<ApiState, ApiContextExtras>();
  if (deps.config.metricsAddress !== undefined) return router;
  router.get('/metrics', async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.set('Content-Type', METRICS_CONTENT_TYPE);
    ctx.body = await renderMetrics();
  });
  return router;
}
