import Router from '@koa/router';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { z } from 'zod';
import type { IntegrationRow } from '../../integrations/integration-store';
import { startInstall } from '../../integrations/lifecycle-workflows';
import { hashOAuthState } from '../../integrations/oauth-state';
import { badRequest, conflict, HttpError, notFound } from '../http-error';
import type { ApiContextExtras, ApiState } from '../context';
import type { ApiDeps } from '../deps';

interface OAuthStateRow {
  integration_id: string;
  expires_at: Date;
  used_at: Date | null;
}

const single = (v: unknown) => (Array.isArray(v) ? undefined : v);
const callbackQuery = z.object({
  code: z.preprocess(single, z.string().min(1).max(2048)).optional(),
  state: z.preprocess(single, z.string().min(1).max(512)).optional(),
  error: z.preprocess(single, z.string().max(200)).optional(),
});

/**
 * `GET /oauth/heroku/callback` (CONTRACT §3): Heroku's redirect after consent. The `state` must
 * be one we issued, unused and unexpired; only then is it spent and InstallHerokuIntegration
 * started, in one transaction (if the start fails, the state stays usable and nothing started).
 * A browser is then sent to the integration's page in the admin console (`/integrations/:id`).
 */
export function oauthCallbackRoutes(deps: ApiDeps): Router<ApiState, ApiContextExtras> {
  const router = new Router<ApiState, ApiContextExtras>();
  const target = { temporal: deps.temporal, taskQueue: deps.config.temporal.taskQueue };

  router.get('/oauth/heroku/callback', async (ctx) => {
    const query = callbackQuery.safeParse(ctx.query);
    if (!query.success) throw badRequest('The OAuth callback needs exactly one code and one state', 'invalid_request');
    const { code, state, error } = query.data;
    if (error !== undefined) {
      const reason = /^[a-z_]{1,40}$/.test(error) ? error : 'an error';
      throw badRequest(`Heroku did not authorize the integration (${reason}); nothing was installed`, 'oauth_denied');
    }
    if (state === undefined) throw badRequest('The OAuth callback has no state', 'invalid_state');
    if (code === undefined) throw badRequest('The OAuth callback has no code', 'invalid_request');

    const started = await deps.db.transaction(async (trx) => {
      const issued = (await trx('oauth_states').where({ state_hash: hashOAuthState(state) }).forUpdate().first()) as OAuthStateRow | undefined;
      if (!issued) throw badRequest('Unknown OAuth state; start again with POST /api/integrations/heroku', 'invalid_state');
      if (issued.used_at !== null) throw badRequest('This OAuth state was already used; an authorize URL works once', 'state_already_used');
      if (new Date(issued.expires_at).getTime() <= Date.now()) {
        throw badRequest('This OAuth state expired (authorize URLs are valid for 10 minutes); start again with POST /api/integrations/heroku', 'state_expired');
      }
      const integrationId = issued.integration_id;
      const row = (await trx('integrations').where({ id: integrationId }).forUpdate().first()) as IntegrationRow;
      if (row.status !== 'pending') throw conflict(`The integration is already ${row.status}`, 'integration_not_pending');
      await trx('oauth_states').where({ state_hash: hashOAuthState(state) }).update({ used_at: trx.fn.now() });
      await trx('integrations').where({ id: integrationId }).update({ status: 'installing', updated_at: trx.fn.now() });
      const [{ count }] = (await trx('integration_apps').where({ integration_id: integrationId, desired: true }).count({ count: '*' })) as [{ count: string }];
      try {
        const workflowId = await startInstall(target, { integrationId, orgId: row.org_id, code, appCount: Number(count) });
        return { integrationId, workflowId };
      } catch (err) {
        if (err instanceof WorkflowExecutionAlreadyStartedError) throw conflict('The install of this integration was already started', 'install_already_started');
        ctx.state.log.error({ err, integrationId }, 'could not start InstallHerokuIntegration');
        throw new HttpError(503, 'temporal_unavailable', 'Could not start the install right now; nothing was changed, open the callback URL again');
      }
    });

    ctx.state.log.info(started, 'OAuth callback accepted; install started');
    if (ctx.accepts('html', 'json') === 'json') {
      ctx.body = started;
      return;
    }
    ctx.redirect(`${deps.config.publicUrl}/integrations/${started.integrationId}`);
  });

  // The earlier landing page: its URLs now lead to the console's page of the integration.
  router.get('/integrations/heroku/:id', (ctx) => {
    const id = z.uuid().safeParse(ctx.params.id);
    if (!id.success) throw notFound('No such Heroku integration');
    ctx.status = 301;
    ctx.redirect(`/integrations/${id.data}`);
  });

  return router;
}
