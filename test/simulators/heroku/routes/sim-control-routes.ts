// SIMULATOR-ONLY routes under `apiUrl + "/__sim/..."`. They do not exist on Heroku; they let a
// sandbox started in another process drive the simulator. No Accept header, no auth, not logged
// in `calls`, not rate limited. Bodies are plain JSON; errors are `{id, message}`.
//
//   POST /__sim/accounts                    {email, name?}                       → 201 account
//   POST /__sim/apps                        {name, owner (id or email), twoFactor?, configVars?} → 201 app
//   PUT  /__sim/apps/:app/config-vars/:key  {value}                              → 200 {}
//   POST /__sim/apps/:app/deploy            DeployOptions                        → 201 DeploySummary
//   POST /__sim/apps/:app/events            {entity, action, data}               → 201 {id}
//   POST /__sim/browser-user                {accountId | null}                   → 200 {}
//   POST /__sim/expire-access-tokens        {accountId?}                         → 200 {expired}
//   POST /__sim/authorizations/:id/revoke                                        → 200 {revoked}
//   GET  /__sim/deliveries[?app=name]                                            → 200 [{..., attempts}]
//   POST /__sim/deliveries/settle           waits for retries to finish          → 200 {}
import type { DeployOptions } from '../deploy';
import type { HerokuSimulator } from '../heroku-simulator';
import { HerokuApiError } from '../heroku-error';
import type { Router } from '../http-kit';
import type { ControlHandler } from '../platform-api';
import type { JsonObject } from '../request-validation';

function str(body: JsonObject, field: string, required: true): string;
function str(body: JsonObject, field: string, required: false): string | undefined;
function str(body: JsonObject, field: string, required: boolean): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) {
    if (required) throw new HerokuApiError(422, 'invalid_params', `${field} is required`);
    return undefined;
  }
  if (typeof value !== 'string') throw new HerokuApiError(422, 'invalid_params', `${field} must be a string`);
  return value;
}

/** Control-API failures (unknown app, bad input) are the caller's fault: 422 with the message. */
function guarded<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof HerokuApiError) throw error;
    throw new HerokuApiError(422, 'invalid_params', error instanceof Error ? error.message : String(error));
  }
}

export function registerSimControlRoutes(router: Router<ControlHandler>, sim: () => HerokuSimulator): void {
  router.add('POST', '/__sim/accounts', (body) => {
    const account = guarded(() => sim().createAccount({ email: str(body, 'email', true), name: str(body, 'name', false) }));
    return { status: 201, body: { id: account.id, email: account.email, name: account.name } };
  });

  router.add('POST', '/__sim/apps', (body) => {
    const configVars = body['configVars'];
    const app = guarded(() =>
      sim().createApp({
        name: str(body, 'name', true),
        owner: sim().account(str(body, 'owner', true)).id,
        twoFactor: body['twoFactor'] === true,
        generation: body['generation'] === 'fir' ? 'fir' : 'cedar',
        configVars: configVars && typeof configVars === 'object' ? (configVars as Record<string, string>) : {},
      }),
    );
    return { status: 201, body: { id: app.id, name: app.name, owner: app.ownerId } };
  });

  router.add('PUT', '/__sim/apps/:app/config-vars/:key', (body, params) => {
    guarded(() => sim().setConfigVar(params['app'] ?? '', params['key'] ?? '', str(body, 'value', true)));
    return { status: 200, body: {} };
  });

  router.add('POST', '/__sim/apps/:app/deploy', async (body, params) => {
    const summary = await guarded(() => sim().deploy(params['app'] ?? '', body as DeployOptions)).catch((error: unknown) => {
      throw new HerokuApiError(422, 'invalid_params', error instanceof Error ? error.message : String(error));
    });
    return { status: 201, body: summary };
  });

  router.add('POST', '/__sim/apps/:app/events', (body, params) => {
    const data = body['data'];
    const event = guarded(() =>
      sim().emitEvent(params['app'] ?? '', str(body, 'entity', true), str(body, 'action', true), data && typeof data === 'object' ? (data as Record<string, unknown>) : {}),
    );
    return { status: 201, body: { id: event.id } };
  });

  router.add('POST', '/__sim/browser-user', (body) => {
    const accountId = body['accountId'];
    guarded(() => sim().setBrowserUser(typeof accountId === 'string' ? sim().account(accountId).id : null));
    return { status: 200, body: {} };
  });

  router.add('POST', '/__sim/expire-access-tokens', (body) => ({
    status: 200,
    body: { expired: sim().expireAccessTokens(str(body, 'accountId', false)) },
  }));

  router.add('POST', '/__sim/authorizations/:id/revoke', (_body, params) => ({
    status: 200,
    body: { revoked: sim().revokeAuthorization(params['id'] ?? '') },
  }));

  router.add('GET', '/__sim/deliveries', (_body, _params, url) => {
    const appName = url.searchParams.get('app');
    const appId = appName === null ? null : guarded(() => sim().app(appName).id);
    const deliveries = sim().deliveries.filter((d) => appId === null || d.appId === appId);
    return {
      status: 200,
      body: deliveries.map((d) => ({
        id: d.id,
        eventId: d.eventId,
        webhookId: d.webhookId,
        include: d.include,
        status: d.status,
        attempts: d.attempts.map((a) => ({
          id: a.id,
          number: a.number,
          duplicate: a.duplicate,
          forged: a.forged,
          url: a.url,
          responseStatus: a.responseStatus,
          error: a.error,
          body: a.rawBody.toString('utf8'),
        })),
      })),
    };
  });

  router.add('POST', '/__sim/deliveries/settle', async () => {
    await sim().waitForDeliveriesSettled();
    return { status: 200, body: {} };
  });
}
