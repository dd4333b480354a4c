import Router from '@koa/router';
import { pingDb } from '../../db/knex';
import { pingTemporal } from '../../temporal/connect';
import type { ApiContextExtras, ApiState } from '../context';
import type { ApiDeps } from '../deps';

/** `/healthz`: the process is up. `/readyz`: PostgreSQL and Temporal both answer (load balancers route on this). */
export function healthRoutes(deps: Pick<ApiDeps, 'db' | 'temporal'>): Router<ApiState, ApiContextExtras> {
  const router = new Router<ApiState, ApiContextExtras>();
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/readyz', async (ctx) => {
    const [postgres, temporal] = await Promise.all([pingDb(deps.db), pingTemporal(deps.temporal)]);
    ctx.status = postgres && temporal ? 200 : 503;
    ctx.body = { status: ctx.status === 200 ? 'ready' : 'not_ready', checks: { postgres, temporal } };
  });
  return router;
}
