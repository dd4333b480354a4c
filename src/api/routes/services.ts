import Router from '@koa/router';
import { z } from 'zod';
import { listServices, putService } from '../../pulses/services';
import type { ApiContextExtras, ApiState } from '../context';
import type { ApiDeps } from '../deps';
import { HttpError } from '../http-error';
import { bodyOf } from '../middleware/body';
import { pageQuerySchema, readPage, sendPage } from '../pagination';

const serviceId = z.string().min(1).max(200);
const orgId = z.string().min(1).max(200);

const putBody = z.strictObject({
  orgId,
  name: z.string().min(1).max(500),
  // Matched exactly (case-sensitive) against Heroku app names; null: the service has no Heroku app.
  herokuAppName: z.string().min(1).max(100).nullish().transform((v) => v ?? null),
});

const putQuery = z.object({ relinkPulses: z.enum(['true', 'false']).optional() });
const listQuery = pageQuerySchema.extend({ orgId });
const serviceCursor = z.object({ id: serviceId });

/** `PUT /api/services/:id`, `GET /api/services?orgId=`: services and their Heroku App Name. */
export function serviceRoutes(deps: Pick<ApiDeps, 'db'>): Router<ApiState, ApiContextExtras> {
  const router = new Router<ApiState, ApiContextExtras>();

  router.put('/api/services/:id', async (ctx) => {
    const id = serviceId.parse(ctx.params['id']);
    const body = putBody.parse(bodyOf(ctx) ?? {});
    const relinkPulses = putQuery.parse(ctx.query).relinkPulses === 'true';
    const result = await putService(deps.db, { id, ...body }, { relinkPulses });
    if (result.outcome === 'other_org') {
      throw new HttpError(409, 'service_in_other_org', `Service ${id} belongs to another org; a service cannot move between orgs`);
    }
    ctx.status = result.outcome === 'created' ? 201 : 200;
    ctx.body = result.relinkedPulses === undefined ? result.service : { ...result.service, relinkedPulses: result.relinkedPulses };
  });

  router.get('/api/services', async (ctx) => {
    const query = listQuery.parse(ctx.query);
    const page = readPage(query, serviceCursor);
    const rows = await listServices(deps.db, query.orgId, { limit: page.limit + 1, afterId: page.after?.id });
    sendPage(ctx, page, rows, (s) => ({ id: s.id }), (s) => s);
  });

  return router;
}
