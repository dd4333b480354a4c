import Router from '@koa/router';
import { z } from 'zod';
import type { ApiContext, ApiContextExtras, ApiState } from '../context';
import type { ApiDeps } from '../deps';
import { HttpError } from '../http-error';
import { bodyOf } from '../middleware/body';

const appName = z.string().regex(/^[a-z][a-z0-9-]{2,29}$/, 'not a Heroku app name');
const deployBody = z.strictObject({ fail: z.boolean().optional() });

/**
 * Sandbox mode only (`npm run sandbox` sets DYNOPULSE_SANDBOX_URL; config refuses it next to real
 * Heroku or Slack): the console's window on the sandbox control server, which owns the simulators.
 *
 *   GET  /api/sandbox                    demo account, apps, Slack channels and the files posted
 *   POST /api/sandbox/apps/:app/deploy   {"fail"?: true}: a simulated git push (build + release webhooks)
 *
 * Without sandbox mode the router is empty: these routes do not exist.
 */
export function sandboxRoutes(deps: Pick<ApiDeps, 'config'>): Router<ApiState, ApiContextExtras> {
  const router = new Router<ApiState, ApiContextExtras>();
  const controlUrl = deps.config.sandboxControlUrl;
  if (controlUrl === undefined) return router;

  router.get('/api/sandbox', async (ctx) => {
    await relay(ctx, await callControl(`${controlUrl}/state`, { method: 'GET' }));
  });

  router.post('/api/sandbox/apps/:app/deploy', async (ctx) => {
    const app = appName.parse(ctx.params['app']);
    const body = deployBody.parse(bodyOf(ctx) ?? {});
    await relay(ctx, await callControl(`${controlUrl}/apps/${app}/deploy`, { method: 'POST', body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } }));
  });
  return router;
}

async function callControl(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(30_000) });
  } catch (err) {
    throw new HttpError(502, 'sandbox_unavailable', `The sandbox control server does not answer (${(err as Error).message}); restart npm run sandbox`);
  }
}

/** The control server already answers in our error shape; pass status and JSON through. */
async function relay(ctx: ApiContext, res: Response): Promise<void> {
  ctx.status = res.status;
  ctx.body = (await res.json()) as unknown;
}
