import Router from '@koa/router';
import { webhookSecretAad } from '../../crypto/aad';
import { ensureCommitLookup } from '../../pulses/commit-lookup';
import { InvalidHerokuEventError, parseHerokuEvent, type HerokuEvent } from '../../pulses/heroku-event';
import { followAppRename } from '../../pulses/kinds/app-rename';
import { needsPriorState, priorStateOf } from '../../pulses/kinds/prior-state';
import { interpretEvent } from '../../pulses/pulse-from-event';
import { withInternalSpan } from '../../telemetry/client-span';
import { EventRecorder } from '../../pulses/event-recorder';
import { recordEventInput, UnstorablePayloadError, type RecordEventResult } from '../../pulses/record-event';
import { findWebhookTarget, WebhookSecretCache } from '../../pulses/webhook-target';
import { verifyHerokuSignature } from '../../pulses/webhook-signature';
import type { ApiContext, ApiContextExtras, ApiState } from '../context';
import type { ApiDeps } from '../deps';
import { HttpError } from '../http-error';
import { bodyOf } from '../middleware/body';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * `POST /webhooks/heroku/:integrationId`: Heroku app-webhook deliveries. No admin token: the
 * HMAC signature, keyed with the secret of this integration's webhook on the app the body names,
 * is the authentication. The hot path is the signature check (with a cached secret) and one
 * statement that stores the event with its pulse and re-checks that secret, shared with the
 * deliveries that arrived meanwhile (group commit); 200 is sent only once that is durable and,
 * when the payload lacks a release's commit, once the lookup workflow is started. Rejected
 * requests store nothing.
 */
export function herokuWebhookRoutes(deps: ApiDeps): Router<ApiState, ApiContextExtras> {
  const router = new Router<ApiState, ApiContextExtras>();
  const secrets = new WebhookSecretCache();
  // Group commit: concurrent deliveries share one statement and one commit (src/pulses/event-recorder.ts).
  const recorder = new EventRecorder(deps.db);

  router.post('/webhooks/heroku/:integrationId', async (ctx) => {
    const integrationId = ctx.params['integrationId'] ?? '';
    if (!UUID.test(integrationId)) throw new HttpError(404, 'unknown_integration', 'No such integration');
    const rawBody = ctx.rawBody;
    if (rawBody === undefined || rawBody.length === 0) throw new HttpError(400, 'invalid_envelope', 'Empty body: expected a Heroku webhook envelope');
    const event = parseOrReject(bodyOf(ctx));
    const { envelope } = event;
    const appName = envelope.data.app.name;
    const signature = ctx.get('heroku-webhook-hmac-sha256') || undefined;
    // Formations, add-ons and apps: the "before" of a change and renames (src/pulses/kinds).
    const prior = needsPriorState(event) ? await orUnavailable(ctx, 'PostgreSQL', () => priorStateOf(deps.db, integrationId, event)) : undefined;
    const interpreted = interpretEvent(event, new Date(), prior);
    const rename = interpreted.rename;
    if (rename) await orUnavailable(ctx, 'PostgreSQL', () => followAppRename(deps.db, deps.box, { integrationId, rename, rawBody, signature }));
    const record = (sealedSecret: string) =>
      orUnavailable(ctx, 'PostgreSQL', () =>
        withInternalSpan('store Heroku delivery', () => ({ 'heroku.app': appName, 'heroku.event.resource': envelope.resource, 'heroku.event.action': envelope.action }), () =>
          recorder.record(recordEventInput({ integrationId, appName, sealedSecret, envelope, rawBody, interpreted })),
        ),
      );

    let result: RecordEventResult | undefined;
    const cached = secrets.get(integrationId, appName);
    if (cached && verifyHerokuSignature(cached.secret, rawBody, signature)) result = await record(cached.sealed);
    if (result === undefined || result.outcome === 'target_changed') {
      // First delivery seen here, a signature the cached secret does not match, or a change since: decide on fresh state.
      secrets.delete(integrationId, appName);
      const current = await authenticate(ctx, deps, integrationId, appName, rawBody, signature);
      secrets.set(integrationId, appName, current);
      result = await record(current.sealed);
      if (result.outcome === 'target_changed') {
        throw new HttpError(503, 'integration_changed', 'The integration changed while the delivery was being stored; retry', { 'Retry-After': '1' });
      }
    }

    const lookup = interpreted.pulse?.commitLookup;
    if (result.commitPending && result.pulseId !== null && lookup) {
      // Also on redeliveries: a previous attempt may have stored the pulse and then failed here.
      const input = { pulseId: result.pulseId, integrationId, appName, releaseId: lookup.releaseId, slugId: lookup.slugId };
      await orUnavailable(ctx, 'Temporal', () => ensureCommitLookup(deps.temporal, deps.config.temporal.taskQueue, input));
    }
    // One line per delivery at info: what became of it rides on the request's access line.
    const outcome = { integrationId, app: appName, eventId: envelope.id, resource: envelope.resource, action: envelope.action, duplicate: !result.stored, pulseId: result.pulseId };
    ctx.state.accessLog = outcome;
    if (deps.logger.isLevelEnabled('debug')) ctx.state.log.debug(outcome, result.stored ? 'Heroku event recorded' : 'Heroku event already recorded');
    ctx.status = 200;
    ctx.body = { eventId: envelope.id, duplicate: !result.stored, pulseId: result.pulseId };
  });

  return router;
}

/**
 * The slow path: reads the integration and app row, answers 404/410 when the delivery has no
 * business here, and 401 unless the signature matches the app's current secret.
 */
async function authenticate(
  ctx: ApiContext,
  deps: ApiDeps,
  integrationId: string,
  appName: string,
  rawBody: Buffer,
  signature: string | undefined,
): Promise<{ sealed: string; secret: string }> {
  const target = await orUnavailable(ctx, 'PostgreSQL', () => findWebhookTarget(deps.db, integrationId, appName));
  if (!target) throw new HttpError(404, 'unknown_integration', 'No such integration');
  if (target.status === 'disconnected') throw new HttpError(410, 'integration_disconnected', 'This integration was disconnected');
  if (!target.app?.desired || target.app.secretSealed === null) {
    throw new HttpError(404, 'app_not_monitored', `This integration does not monitor the app ${JSON.stringify(appName)}`);
  }
  const sealed = target.app.secretSealed;
  const secret = deps.box.open(sealed, webhookSecretAad(integrationId, appName));
  if (!verifyHerokuSignature(secret, rawBody, signature)) {
    throw new HttpError(401, 'invalid_signature', 'Missing or invalid Heroku-Webhook-Hmac-SHA256 signature');
  }
  return { sealed, secret };
}

function parseOrReject(body: unknown): HerokuEvent {
  try {
    return parseHerokuEvent(body);
  } catch (err) {
    if (err instanceof InvalidHerokuEventError) throw new HttpError(400, 'invalid_envelope', err.message);
    throw err;
  }
}

/** A failing dependency becomes 503 + Retry-After, so Heroku (level `sync`) delivers again later. */
async function orUnavailable<T>(ctx: ApiContext, dependency: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof UnstorablePayloadError) throw new HttpError(400, 'invalid_envelope', err.message);
    ctx.state.log.warn({ err }, `${dependency} failed while accepting a Heroku webhook delivery`);
    throw new HttpError(503, 'unavailable', `${dependency} is unavailable; the delivery was not accepted, retry later`, { 'Retry-After': '5' });
  }
}
