// App webhook subscriptions, deliveries and events (heroku.md §3).
import { randomBytes, randomUUID } from 'node:crypto';
import type { Router } from '../http-kit';
import { WEBHOOK_ENTITIES, type App, type WebhookEvent, type WebhookSubscription } from '../model';
import { invalidParams, notFound } from '../heroku-error';
import type { ApiHandler, ApiRequest } from '../platform-api';
import { renderDelivery, renderEvent, renderWebhook } from '../representations';
import { BodyReader } from '../request-validation';
import type { DeliveryRecord } from '../webhook-delivery';
import { listResponse, requireScope, resolveApp, type PlatformServices } from './route-support';

const LEVELS = ['notify', 'sync'] as const;

/** Secrets Heroku generates when `secret` is omitted (returned once in Heroku-Webhook-Secret). */
function generateSecret(): string {
  return randomBytes(24).toString('hex');
}

function secretHeader(secret: string | null): Record<string, string> {
  return secret === null ? {} : { 'Heroku-Webhook-Secret': secret };
}

export function registerWebhookRoutes(router: Router<ApiHandler>, services: PlatformServices): void {
  const { state } = services;

  const findWebhook = (app: App, request: ApiRequest): WebhookSubscription => {
    const webhook = state.webhooks.get((request.params['webhook'] ?? '').toLowerCase());
    if (!webhook || webhook.appId !== app.id) throw notFound('app-webhook', "Couldn't find that webhook.");
    return webhook;
  };

  const rejectDuplicateUrl = (app: App, url: string, except?: string): void => {
    if (!services.rejectDuplicateWebhookUrls) return;
    if (state.webhooksOf(app.id).some((w) => w.url === url && w.id !== except)) {
      throw invalidParams('Invalid params: url has already been taken.');
    }
  };

  router.add('POST', '/apps/:app/webhooks', (request) => {
    requireScope(request, 'write');
    const app = resolveApp(services, request, { write: true });
    const body = new BodyReader(request.body);
    // Schema order of `required`: include, level, url (heroku.md §3 "Create").
    const include = body.enumArray('include', WEBHOOK_ENTITIES, true) ?? [];
    const level = body.enumValue('level', LEVELS, true);
    const url = body.url('url', true) ?? '';
    const secret = body.optionalNullableString('secret');
    const authorization = body.optionalNullableString('authorization');
    rejectDuplicateUrl(app, url);
    const generated = secret === undefined || secret === null;
    const now = new Date();
    const webhook: WebhookSubscription = {
      id: randomUUID(),
      appId: app.id,
      url,
      include,
      level,
      secret: generated ? generateSecret() : secret,
      authorization: authorization ?? null,
      createdAt: now,
      updatedAt: now,
    };
    state.webhooks.set(webhook.id, webhook);
    return {
      status: 201,
      body: renderWebhook(state, webhook),
      // Returned only here, only when Heroku generated it (heroku.md §3 "Create").
      headers: secretHeader(generated ? webhook.secret : null),
    };
  });

  router.add('GET', '/apps/:app/webhooks', (request) => {
    requireScope(request, 'read');
    const app = resolveApp(services, request, { write: false });
    return listResponse(services, request, state.webhooksOf(app.id), [{ name: 'id', value: (w) => w.id }], (w) => renderWebhook(state, w));
  });

  router.add('GET', '/apps/:app/webhooks/:webhook', (request) => {
    requireScope(request, 'read');
    const app = resolveApp(services, request, { write: false });
    return { status: 200, body: renderWebhook(state, findWebhook(app, request)) };
  });

  router.add('PATCH', '/apps/:app/webhooks/:webhook', (request) => {
    requireScope(request, 'write');
    const app = resolveApp(services, request, { write: true });
    const webhook = findWebhook(app, request);
    const body = new BodyReader(request.body);
    const include = body.enumArray('include', WEBHOOK_ENTITIES, false);
    const level = body.enumValue('level', LEVELS, false);
    const url = body.url('url', false);
    const secret = body.optionalNullableString('secret');
    const authorization = body.optionalNullableString('authorization');
    if (url !== undefined) rejectDuplicateUrl(app, url, webhook.id);
    if (include !== undefined) webhook.include = include;
    if (level !== undefined) webhook.level = level;
    if (url !== undefined) webhook.url = url;
    if (authorization !== undefined) webhook.authorization = authorization;
    // A new secret rotates signing for every later attempt; `null` asks Heroku for a new one.
    const regenerated = secret === null;
    if (secret !== undefined) webhook.secret = secret ?? generateSecret();
    webhook.updatedAt = new Date();
    return { status: 200, body: renderWebhook(state, webhook), headers: secretHeader(regenerated ? webhook.secret : null) };
  });

  router.add('DELETE', '/apps/:app/webhooks/:webhook', (request) => {
    requireScope(request, 'write');
    const app = resolveApp(services, request, { write: true });
    const webhook = findWebhook(app, request);
    state.webhooks.delete(webhook.id);
    // heroku.md §3 "Delete": 200 with the deleted object.
    return { status: 200, body: renderWebhook(state, webhook) };
  });

  router.add('GET', '/apps/:app/webhook-deliveries', (request) => {
    requireScope(request, 'read');
    const app = resolveApp(services, request, { write: false });
    let deliveries = services.sender.deliveries.filter((d) => d.appId === app.id);
    // heroku.md §3 "Deliveries": filter `?eq[status]=failed`.
    const status = request.url.searchParams.get('eq[status]');
    if (status !== null) deliveries = deliveries.filter((d) => d.status === status);
    return listResponse<DeliveryRecord>(
      services,
      request,
      deliveries,
      [
        { name: 'id', value: (d) => d.id },
        { name: 'seq', value: (d) => d.seq },
        { name: 'created_at', value: (d) => d.createdAt.toISOString() },
      ],
      renderDelivery,
    );
  });

  router.add('GET', '/apps/:app/webhook-deliveries/:delivery', (request) => {
    requireScope(request, 'read');
    const app = resolveApp(services, request, { write: false });
    const id = (request.params['delivery'] ?? '').toLowerCase();
    const delivery = services.sender.deliveries.find((d) => d.id === id && d.appId === app.id);
    if (!delivery) throw notFound('app-webhook-delivery', "Couldn't find that webhook delivery.");
    return { status: 200, body: renderDelivery(delivery) };
  });

  router.add('GET', '/apps/:app/webhook-events', (request) => {
    requireScope(request, 'read');
    const app = resolveApp(services, request, { write: false });
    return listResponse<WebhookEvent>(
      services,
      request,
      state.eventsOf(app.id),
      [
        { name: 'id', value: (e) => e.id },
        { name: 'created_at', value: (e) => e.recordedAt.toISOString() },
      ],
      renderEvent,
    );
  });

  router.add('GET', '/apps/:app/webhook-events/:event', (request) => {
    requireScope(request, 'read');
    const app = resolveApp(services, request, { write: false });
    const event = state.events.get((request.params['event'] ?? '').toLowerCase());
    if (!event || event.appId !== app.id) throw notFound('app-webhook-event', "Couldn't find that webhook event.");
    return { status: 200, body: renderEvent(event) };
  });
}
