import Router from '@koa/router';
import { z } from 'zod';
import { changeView } from '../../changes/change-view';
import { parseChangesQuery } from '../../changes/changes-query';
import { changeCursorOf, listChanges } from '../../changes/list-changes';
import type { ApiContextExtras, ApiState } from '../context';
import type { ApiDeps } from '../deps';
import { pageQuerySchema, readPage, sendPage } from '../pagination';

const changeCursor = z.object({ occurredAt: z.iso.datetime(), seq: z.string().regex(/^\d{1,19}$/) });

/**
 * `GET /api/changes?orgId=&app=|serviceId=&before=&window=`: what changed in one app or service
 * in the window before an instant (default now, PT24H, at most P7D), newest first, paginated.
 * A page's `before` stays the first page's: the Link URL carries it, so "now" does not move.
 */
export function changeRoutes(deps: Pick<ApiDeps, 'db'>): Router<ApiState, ApiContextExtras> {
  const router = new Router<ApiState, ApiContextExtras>();
  router.get('/api/changes', async (ctx) => {
    const pageQuery = pageQuerySchema.parse(ctx.query);
    const raw = { ...ctx.query };
    delete raw['limit'];
    delete raw['cursor'];
    const query = parseChangesQuery(raw);
    if (ctx.query['before'] === undefined) ctx.querystring = new URLSearchParams({ ...flat(ctx.query), before: query.before.toISOString() }).toString();
    const page = readPage(pageQuery, changeCursor);
    const rows = await listChanges(deps.db, query, { limit: page.limit + 1, after: page.after });
    sendPage(ctx, page, rows, changeCursorOf, changeView);
  });
  return router;
}

function flat(query: Record<string, string | string[] | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(query).flatMap(([k, v]) => (typeof v === 'string' ? [[k, v]] : [])));
}
