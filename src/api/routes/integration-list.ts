import Router from '@koa/router';
import { z } from 'zod';
import type { ApiContextExtras, ApiState } from '../context';
import type { ApiDeps } from '../deps';
import { pageQuerySchema, readPage, sendPage } from '../pagination';
import { newestFirstCursor, type NewestFirstCursor } from './newest-first';

const listQuery = pageQuerySchema.extend({ orgId: z.string().min(1).max(200).optional() });

interface IntegrationListRow {
  id: string;
  org_id: string;
  status: string;
  status_reason: string | null;
  heroku_account_id: string | null;
  heroku_account_email: string | null;
  created_at: Date;
  created_at_text: string;
  updated_at: Date;
}

/**
 * `GET /api/integrations/heroku?orgId=&limit=&cursor=` (an addition to CONTRACT §3, for the
 * console): integrations newest first, each with its status (and the reason when `error`),
 * account and the apps it watches. The full picture of one is `GET /api/integrations/heroku/:id`.
 */
export function integrationListRoutes(deps: Pick<ApiDeps, 'db'>): Router<ApiState, ApiContextExtras> {
  const router = new Router<ApiState, ApiContextExtras>();
  router.get('/api/integrations/heroku', async (ctx) => {
    const query = listQuery.parse(ctx.query);
    const page = readPage(query, newestFirstCursor);
    const rows = (await deps.db('integrations')
      .modify((q) => {
        if (query.orgId !== undefined) void q.where('org_id', query.orgId);
        if (page.after !== undefined) void q.whereRaw('(created_at, id) < (cast(? as timestamptz), cast(? as uuid))', [page.after.at, page.after.id]);
      })
      .orderBy([
        { column: 'created_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(page.limit + 1)
      .select('id', 'org_id', 'status', 'status_reason', 'heroku_account_id', 'heroku_account_email', 'created_at', 'updated_at', deps.db.raw('created_at::text as created_at_text'))) as IntegrationListRow[];
    const apps = await watchedApps(deps, rows.map((r) => r.id));
    sendPage(ctx, page, rows, (r): NewestFirstCursor => ({ at: r.created_at_text, id: r.id }), (r) => ({
      id: r.id,
      orgId: r.org_id,
      status: r.status,
      statusReason: r.status_reason,
      account: { id: r.heroku_account_id, email: r.heroku_account_email },
      apps: apps.get(r.id) ?? [],
      createdAt: r.created_at.toISOString(),
      updatedAt: r.updated_at.toISOString(),
    }));
  });
  return router;
}

/** The app names each integration watches (the ones still wanted, not those being removed). */
async function watchedApps(deps: Pick<ApiDeps, 'db'>, ids: string[]): Promise<Map<string, string[]>> {
  const byIntegration = new Map<string, string[]>();
  if (ids.length === 0) return byIntegration;
  const rows = (await deps.db('integration_apps').whereIn('integration_id', ids).andWhere('desired', true).orderBy('app_name').select('integration_id', 'app_name')) as {
    integration_id: string;
    app_name: string;
  }[];
  for (const row of rows) byIntegration.set(row.integration_id, [...(byIntegration.get(row.integration_id) ?? []), row.app_name]);
  return byIntegration;
}
