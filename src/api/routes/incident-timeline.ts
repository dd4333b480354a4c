import Router from '@koa/router';
import { z } from 'zod';
import type { ApiContextExtras, ApiState } from '../context';
import type { ApiDeps } from '../deps';
import { pageQuerySchema, readPage, sendPage } from '../pagination';

const incidentId = z.string().min(1).max(200);
const listQuery = pageQuerySchema.extend({ orgId: z.string().min(1).max(200).optional() });
const timelineCursor = z.object({ occurredAt: z.iso.datetime(), id: z.uuid() });

interface TimelineRow {
  id: string;
  kind: string;
  summary: string;
  data: Record<string, unknown>;
  occurred_at: Date;
  /** occurred_at to the microsecond: writers may use now(), and a cursor rounded to ms would repeat rows. */
  occurred_key: string;
}

/**
 * `GET /api/incidents/:id/timeline`: what dynopulse wrote on an incident's timeline (e.g. a
 * command run's output), oldest first, paginated. `?orgId=` narrows to one org's events when
 * incident ids are only unique per org.
 */
export function incidentTimelineRoutes(deps: Pick<ApiDeps, 'db'>): Router<ApiState, ApiContextExtras> {
  const router = new Router<ApiState, ApiContextExtras>();
  router.get('/api/incidents/:id/timeline', async (ctx) => {
    const id = incidentId.parse(ctx.params['id']);
    const query = listQuery.parse(ctx.query);
    const page = readPage(query, timelineCursor);
    const rows = (await deps
      .db('timeline_events')
      .where({ incident_id: id })
      .modify((q) => {
        if (query.orgId !== undefined) void q.andWhere({ org_id: query.orgId });
        if (page.after !== undefined) void q.andWhereRaw('(occurred_at, id) > (cast(? as timestamptz), cast(? as uuid))', [page.after.occurredAt, page.after.id]);
      })
      .orderBy([{ column: 'occurred_at' }, { column: 'id' }])
      .limit(page.limit + 1)
      .select('id', 'kind', 'summary', 'data', 'occurred_at', deps.db.raw(`to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as occurred_key`))) as TimelineRow[];
    sendPage(
      ctx,
      page,
      rows,
      (row) => ({ occurredAt: row.occurred_key, id: row.id }),
      (row) => ({ id: row.id, kind: row.kind, summary: row.summary, data: row.data, occurredAt: row.occurred_at.toISOString() }),
    );
  });
  return router;
}
