import Router from '@koa/router';
import { z } from 'zod';
import { listPulses, pulseCursorOf, pulseView } from '../../pulses/list-pulses';
import type { ApiContextExtras, ApiState } from '../context';
import type { ApiDeps } from '../deps';
import { pageQuerySchema, readPage, sendPage } from '../pagination';

const listQuery = pageQuerySchema.extend({
  // Required: every pulse query is scoped to one org.
  orgId: z.string().min(1).max(200),
  app: z.string().min(1).max(100).optional(),
  serviceId: z.string().min(1).max(200).optional(),
});
const pulseCursor = z.object({ occurredAt: z.iso.datetime(), seq: z.string().regex(/^\d{1,19}$/) });

/** `GET /api/pulses?orgId=&app=&serviceId=&limit=`: an org's pulses, newest first, paginated. */
export function pulseRoutes(deps: Pick<ApiDeps, 'db'>): Router<ApiState, ApiContextExtras> {
  const router = new Router<ApiState, ApiContextExtras>();
  router.get('/api/pulses', async (ctx) => {
    const query = listQuery.parse(ctx.query);
    const page = readPage(query, pulseCursor);
    const rows = await listPulses(deps.db, query, { limit: page.limit + 1, after: page.after });
    sendPage(ctx, page, rows, pulseCursorOf, pulseView);
  });
  return router;
}
