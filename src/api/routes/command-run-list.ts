import Router from '@koa/router';
import { z } from 'zod';
import type { ApiContextExtras, ApiState } from '../context';
import type { ApiDeps } from '../deps';
import { pageQuerySchema, readPage, sendPage } from '../pagination';
import { newestFirstCursor, type NewestFirstCursor } from './newest-first';

const listQuery = pageQuerySchema.extend({
  integrationId: z.uuid().optional(),
  appName: z.string().min(1).max(100).optional(),
  incidentId: z.string().min(1).max(200).optional(),
});

interface CommandRunListRow {
  id: string;
  integration_id: string;
  app_name: string;
  incident_id: string | null;
  status: string;
  exit_code: number | null;
  timed_out: boolean;
  output_bytes: string | number;
  started_at: Date;
  started_at_text: string;
  finished_at: Date | null;
}

/**
 * `GET /api/command-runs?integrationId=&appName=&incidentId=&limit=&cursor=` (an addition to
 * CONTRACT §3, for the console): runs newest first, each as a summary; the full status of one is
 * `GET /api/command-runs/:id`.
 */
export function commandRunListRoutes(deps: Pick<ApiDeps, 'db'>): Router<ApiState, ApiContextExtras> {
  const router = new Router<ApiState, ApiContextExtras>();
  router.get('/api/command-runs', async (ctx) => {
    const query = listQuery.parse(ctx.query);
    const page = readPage(query, newestFirstCursor);
    const rows = (await deps.db('command_runs')
      .modify((q) => {
        if (query.integrationId !== undefined) void q.where('integration_id', query.integrationId);
        if (query.appName !== undefined) void q.where('app_name', query.appName);
        if (query.incidentId !== undefined) void q.where('incident_id', query.incidentId);
        if (page.after !== undefined) void q.whereRaw('(started_at, id) < (cast(? as timestamptz), ?)', [page.after.at, page.after.id]);
      })
      .orderBy([
        { column: 'started_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(page.limit + 1)
      .select('id', 'integration_id', 'app_name', 'incident_id', 'status', 'exit_code', 'timed_out', 'output_bytes', 'started_at', 'finished_at', deps.db.raw('started_at::text as started_at_text'))) as CommandRunListRow[];
    sendPage(ctx, page, rows, (r): NewestFirstCursor => ({ at: r.started_at_text, id: r.id }), (r) => ({
      id: r.id,
      status: r.status,
      integrationId: r.integration_id,
      appName: r.app_name,
      incidentId: r.incident_id,
      exitCode: r.exit_code,
      timedOut: r.timed_out,
      outputBytes: Number(r.output_bytes),
      startedAt: r.started_at.toISOString(),
      finishedAt: r.finished_at?.toISOString() ?? null,
    }));
  });
  return router;
}
