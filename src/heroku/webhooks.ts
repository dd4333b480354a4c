import { z } from 'zod';
import { appPath, HerokuApiError, type HerokuClient } from './client';

// App webhook subscriptions (heroku.md §3): the one subscription dynopulse keeps on each watched app.

/**
 * Entities we subscribe to: builds, releases (deploys and config vars), formations (scaling),
 * add-ons and the app itself (maintenance, renames) become pulses; dyno events are recorded. The
 * same for every integration: the kinds an integration watches only decide which make pulses.
 * A subscription with an older list is PATCHed in place by the next sync (same id and secret).
 */
export const WEBHOOK_INCLUDE: readonly string[] = ['api:build', 'api:release', 'api:dyno', 'api:formation', 'api:addon', 'api:app'];
/** `sync`: Heroku retries failed deliveries (heroku.md §4.4), so nothing is lost while we are down. */
export const WEBHOOK_LEVEL = 'sync';

/** Where Heroku delivers an integration's events; also how we recognise our own subscriptions. */
export function webhookUrl(publicUrl: string, integrationId: string): string {
  return `${publicUrl}/webhooks/heroku/${integrationId}`;
}

const appWebhookSchema = z.object({
  id: z.string().min(1),
  url: z.string(),
  include: z.array(z.string()),
  level: z.string(),
  app: z.object({ id: z.string().min(1) }).loose().optional(),
});
export type AppWebhook = z.infer<typeof appWebhookSchema>;

const parse = (body: unknown, what: string): AppWebhook => {
  const parsed = appWebhookSchema.safeParse(body);
  if (!parsed.success) throw new Error(`Heroku answered an unexpected ${what} body`);
  return parsed.data;
};

/** True when the subscription already delivers what we need (secret aside: Heroku never returns it). */
export function hasOurSettings(hook: AppWebhook): boolean {
  const include = new Set(hook.include);
  return hook.level === WEBHOOK_LEVEL && include.size === WEBHOOK_INCLUDE.length && WEBHOOK_INCLUDE.every((e) => include.has(e));
}

/** Every subscription of the app (all pages). */
export async function listAppWebhooks(client: HerokuClient, app: string): Promise<AppWebhook[]> {
  const items = await client.list<unknown>(`${appPath(app)}/webhooks`);
  return items.map((item) => parse(item, 'webhook list'));
}

/** Creates our subscription with a secret we generated (so it is never read back from a response). */
export async function createAppWebhook(client: HerokuClient, app: string, target: { url: string; secret: string }): Promise<AppWebhook> {
  const body = await client.post<unknown>(`${appPath(app)}/webhooks`, { url: target.url, include: WEBHOOK_INCLUDE, level: WEBHOOK_LEVEL, secret: target.secret });
  return parse(body, 'webhook create');
}

/** Points an existing subscription at our URL, entities, level and secret. */
export async function updateAppWebhook(client: HerokuClient, app: string, webhookId: string, target: { url: string; secret: string }): Promise<AppWebhook> {
  const body = await client.patch<unknown>(`${appPath(app)}/webhooks/${encodeURIComponent(webhookId)}`, {
    url: target.url,
    include: WEBHOOK_INCLUDE,
    level: WEBHOOK_LEVEL,
    secret: target.secret,
  });
  return parse(body, 'webhook update');
}

/** Deletes a subscription; one that is already gone (404) counts as deleted. */
export async function deleteAppWebhook(client: HerokuClient, app: string, webhookId: string): Promise<void> {
  try {
    await client.delete(`${appPath(app)}/webhooks/${encodeURIComponent(webhookId)}`);
  } catch (err) {
    if (err instanceof HerokuApiError && err.status === 404) return;
    throw err;
  }
}
