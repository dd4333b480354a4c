import type { ApiContext } from '../api/context';
import { httpRequestDuration, httpRequests, webhookDeliveries } from './registry';

/** Requests no router matched (unknown paths, refused before routing, static assets). */
export const UNMATCHED_ROUTE = '(unmatched)';

const WEBHOOK_PATH = /^\/webhooks\/heroku\/[^/]+$/;
/** The receiver's error codes (README "Webhook receiver"); anything else counts as `other`. */
const WEBHOOK_REJECTIONS = new Set([
  'invalid_envelope',
  'invalid_json',
  'invalid_signature',
  'unknown_integration',
  'app_not_monitored',
  'integration_disconnected',
  'integration_changed',
  'payload_too_large',
  'unsupported_media_type',
  'bad_request',
  'unavailable',
  'internal',
]);

/**
 * Records one answered request: count and duration by route template (`/api/command-runs/:id`,
 * never the path itself, so ids stay out of label values) and, for Heroku webhook deliveries,
 * what became of the delivery, as the receiver's answer says.
 */
export function observeHttpRequest(ctx: ApiContext, seconds: number): void {
  const matched = (ctx as { _matchedRoute?: unknown })._matchedRoute;
  const route = typeof matched === 'string' ? matched : UNMATCHED_ROUTE;
  httpRequests.inc({ method: ctx.method, route, status: String(ctx.status) });
  httpRequestDuration.observe({ method: ctx.method, route }, seconds);
  if (ctx.method === 'POST' && WEBHOOK_PATH.test(ctx.path)) observeWebhookDelivery(ctx.status, ctx.body);
}

function observeWebhookDelivery(status: number, body: unknown): void {
  if (status === 200) {
    const duplicate = (body as { duplicate?: unknown } | null)?.duplicate === true;
    webhookDeliveries.inc({ outcome: duplicate ? 'deduplicated' : 'accepted' });
    return;
  }
  const code = (body as { error?: { code?: unknown } } | null)?.error?.code;
  webhookDeliveries.inc({ outcome: 'rejected', reason: typeof code === 'string' && WEBHOOK_REJECTIONS.has(code) ? code : 'other' });
}
