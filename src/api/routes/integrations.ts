import Router from '@koa/router';
import { z } from 'zod';
import { authorizeUrl } from '../../heroku/oauth';
import { createPendingIntegration, findIntegration, integrationView, replaceWatchedApps, replaceWatchedKinds, type IntegrationRow } from '../../integrations/integration-store';
import { watchedKindsSchema } from '../../pulses/kinds/change-kinds';
import { requestAppSync, startDisconnect } from '../../integrations/lifecycle-workflows';
import { HEROKU_APP_NAME, MAX_APPS_PER_INTEGRATION, RECONNECT_NEEDED } from '../../integrations/model';
import { oauthCallbackUrl, oauthClientFromConfig } from '../../integrations/oauth-client';
import { hashOAuthState, newOAuthState, OAUTH_STATE_TTL_MS } from '../../integrations/oauth-state';
import { installWorkflowId } from '../../integrations/workflow-ids';
import { bodyOf } from '../middleware/body';
import { conflict, HttpError, notFound } from '../http-error';
import type { ApiContextExtras, ApiState } from '../context';
import type { ApiDeps } from '../deps';

const appList = z
  .array(z.string().regex(HEROKU_APP_NAME, 'must be a Heroku app name (3-30 lowercase letters, digits and dashes, starting with a letter)'))
  .max(MAX_APPS_PER_INTEGRATION, `at most ${MAX_APPS_PER_INTEGRATION} apps per integration`)
  .transform((apps) => [...new Set(apps)]);

const createBody = z.strictObject({ orgId: z.string().trim().min(1, 'must not be empty').max(200), apps: appList, watchedKinds: watchedKindsSchema.optional() });
const appsBody = z.strictObject({ apps: appList });
const kindsBody = z.strictObject({ watchedKinds: watchedKindsSchema });
const idParam = z.uuid('must be an integration id (a UUID)');

/** Integrations (CONTRACT §3): create + authorize URL, status, app list, disconnect. */
export function integrationRoutes(deps: ApiDeps): Router<ApiState, ApiContextExtras> {
  const router = new Router<ApiState, ApiContextExtras>({ prefix: '/api/integrations/heroku' });
  const target = { temporal: deps.temporal, taskQueue: deps.config.temporal.taskQueue };

  const integrationOf = async (rawId: string): Promise<IntegrationRow> => {
    const parsed = idParam.safeParse(rawId);
    if (!parsed.success) throw new HttpError(400, 'invalid_request', `id: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    const row = await findIntegration(deps.db, parsed.data);
    if (!row) throw notFound(`No Heroku integration ${parsed.data}`);
    return row;
  };

  router.post('/', async (ctx) => {
    const body = createBody.parse(bodyOf(ctx) ?? {});
    const oauth = oauthClientFromConfig(deps.config);
    if (!oauth) throw new HttpError(503, 'heroku_oauth_not_configured', 'Set HEROKU_OAUTH_ID and HEROKU_OAUTH_SECRET to connect Heroku accounts');
    const state = newOAuthState();
    const id = await createPendingIntegration(deps.db, {
      orgId: body.orgId,
      apps: body.apps,
      watchedKinds: body.watchedKinds,
      stateHash: hashOAuthState(state),
      stateExpiresAt: new Date(Date.now() + OAUTH_STATE_TTL_MS),
    });
    ctx.state.log.info({ integrationId: id, orgId: body.orgId, apps: body.apps.length }, 'Heroku integration created; waiting for OAuth');
    ctx.status = 201;
    ctx.body = { id, authorizeUrl: authorizeUrl(oauth, state, oauthCallbackUrl(deps.config)) };
  });

  router.get('/:id', async (ctx) => {
    const row = await integrationOf(ctx.params.id ?? '');
    ctx.body = await integrationView(deps.db, row.id);
  });

  router.put('/:id/apps', async (ctx) => {
    const { id } = await integrationOf(ctx.params.id ?? '');
    const body = appsBody.parse(bodyOf(ctx) ?? {});
    // The row lock orders this with the OAuth callback and the start of a disconnect.
    const workflowId = await deps.db.transaction(async (trx) => {
      const row = (await trx('integrations').where({ id }).forUpdate().first()) as IntegrationRow;
      if (row.status === 'disconnecting' || row.status === 'disconnected') {
        throw conflict(`The integration is ${row.status}; create a new one to watch apps again`, 'integration_disconnected');
      }
      if (row.status === 'error' && row.status_reason?.startsWith(RECONNECT_NEEDED)) {
        throw conflict(`The integration cannot reach Heroku (${row.status_reason}); nothing was changed`, 'reconnect_needed');
      }
      await replaceWatchedApps(trx, id, body.apps);
      // Not installed yet: the install syncs whatever list it finds.
      if (row.status === 'pending') return installWorkflowId(id);
      return requestAppSync(target, { integrationId: id, orgId: row.org_id, appCount: body.apps.length });
    });
    ctx.state.log.info({ integrationId: id, apps: body.apps.length, workflowId }, 'watched Heroku apps replaced');
    ctx.status = 202;
    ctx.body = { workflowId };
  });

  // Which kinds of change make pulses: deliveries of the others are still recorded.
  router.put('/:id/kinds', async (ctx) => {
    const row = await integrationOf(ctx.params.id ?? '');
    const body = kindsBody.parse(bodyOf(ctx) ?? {});
    if (row.status === 'disconnecting' || row.status === 'disconnected') {
      throw conflict(`The integration is ${row.status}; create a new one to watch apps again`, 'integration_disconnected');
    }
    await replaceWatchedKinds(deps.db, row.id, body.watchedKinds);
    ctx.state.log.info({ integrationId: row.id, watchedKinds: body.watchedKinds }, 'watched kinds of change replaced');
    ctx.body = await integrationView(deps.db, row.id);
  });

  router.delete('/:id', async (ctx) => {
    const row = await integrationOf(ctx.params.id ?? '');
    const workflowId = await startDisconnect(target, { integrationId: row.id, orgId: row.org_id });
    ctx.state.log.info({ integrationId: row.id, workflowId }, 'Heroku integration disconnect requested');
    ctx.status = 202;
    ctx.body = { workflowId };
  });

  return router;
}
