// JSON shapes the Platform API answers with, field names from the Platform API schema
// (heroku.md §1–6; @heroku-cli/schema types). Webhook *payload* shapes are in event-payloads.ts.
import type { Account, App, Authorization, Build, DynoRecord, Release, Slug, WebhookEvent, WebhookSubscription } from './model';
import type { DeliveryRecord } from './webhook-delivery';
import type { SimulatorState } from './simulator-state';
import { isoSeconds } from './timestamps';
import { WEBHOOK_PAYLOAD_VERSION } from './webhook-sender';

export const STACK = { id: 'ee582d3c-717d-4a57-ba5a-d2a9dd1fa3f5', name: 'heroku-24' } as const;
/** Fir apps build with Cloud Native Buildpacks: stack `cnb` (run/helpers.js `shouldPrependLauncher`). */
export const CNB_STACK = { id: 'b8a4e0a4-1c4f-4a1e-9bb6-2e1d1b0f0c24', name: 'cnb' } as const;
const GENERATIONS = { cedar: { id: '0d5d6b8b-7b8c-4c54-9f3e-3a4c1a5d0c11', name: 'cedar' }, fir: { id: '7f2f8e4a-5b1a-4f1d-8c8e-6b9d2c3e4f50', name: 'fir' } } as const;
export const REGION = { id: '59accabd-516d-4f0e-83e6-6e3757701145', name: 'us' } as const;

function ref(account: Account | undefined): { id: string; email: string } {
  return { id: account?.id ?? '', email: account?.email ?? '' };
}

export function renderAccount(account: Account): Record<string, unknown> {
  return {
    allow_tracking: true,
    beta: false,
    created_at: isoSeconds(account.createdAt),
    email: account.email,
    federated: false,
    id: account.id,
    identity_provider: null,
    last_login: isoSeconds(account.createdAt),
    name: account.name,
    sms_number: null,
    suspended_at: null,
    delinquent_at: null,
    two_factor_authentication: false,
    updated_at: isoSeconds(account.createdAt),
    verified: true,
    country_of_residence: null,
    default_organization: null,
    default_team: null,
  };
}

export function renderApp(state: SimulatorState, app: App): Record<string, unknown> {
  return {
    acm: false,
    archived_at: null,
    buildpack_provided_description: null,
    build_stack: app.generation === 'fir' ? CNB_STACK : STACK,
    created_at: isoSeconds(app.createdAt),
    // An object {id, name} (generation.js accepts a string or an object with `name`).
    generation: GENERATIONS[app.generation],
    git_url: `https://git.heroku.com/${app.name}.git`,
    id: app.id,
    internal_routing: null,
    maintenance: app.maintenance,
    name: app.name,
    owner: ref(state.accounts.get(app.ownerId)),
    organization: null,
    team: null,
    region: REGION,
    released_at: app.releasedAt ? isoSeconds(app.releasedAt) : null,
    repo_size: null,
    slug_size: null,
    space: null,
    stack: app.generation === 'fir' ? CNB_STACK : STACK,
    updated_at: isoSeconds(app.updatedAt),
    web_url: `https://${app.name}-0123456789ab.herokuapp.com/`,
  };
}

/** heroku.md §3 "Webhook object fields": never the secret nor the authorization. */
export function renderWebhook(state: SimulatorState, webhook: WebhookSubscription): Record<string, unknown> {
  const app = state.apps.get(webhook.appId);
  return {
    app: { id: webhook.appId, name: app?.name ?? '' },
    created_at: isoSeconds(webhook.createdAt),
    id: webhook.id,
    include: [...webhook.include],
    level: webhook.level,
    updated_at: isoSeconds(webhook.updatedAt),
    url: webhook.url,
  };
}

/** The API's release: `slug` is `{id}` only, so the commit needs `GET /apps/{app}/slugs/{id}` (§5.3). */
export function renderRelease(state: SimulatorState, release: Release): Record<string, unknown> {
  const app = state.apps.get(release.appId);
  return {
    addon_plan_names: [],
    artifacts: release.status !== 'succeeded' ? [] : release.slugId ? [{ type: 'slug', id: release.slugId }] : release.ociImageId ? [{ type: 'oci-image', id: release.ociImageId }] : [],
    app: { id: release.appId, name: app?.name ?? '' },
    created_at: isoSeconds(release.createdAt),
    description: release.description,
    eligible_for_rollback: release.status === 'succeeded',
    id: release.id,
    output_stream_url: release.releasePhase ? releaseOutputUrl(release) : null,
    slug: release.slugId ? { id: release.slugId } : null,
    oci_image: release.ociImageId ? { id: release.ociImageId } : null,
    status: release.status,
    updated_at: isoSeconds(release.updatedAt),
    user: ref(state.accounts.get(release.userId)),
    version: release.version,
    current: release.current,
  };
}

export function releaseOutputUrl(release: Release): string {
  return `https://release-output.heroku.com/streams/${release.appId.slice(0, 2)}/${release.appId}/logs/${release.id}.log`;
}

export function buildOutputUrl(build: Build): string {
  return `https://build-output.heroku.com/streams/${build.appId.slice(0, 2)}/${build.appId}/logs/${build.id.slice(0, 2)}/${build.id}.log`;
}

export function renderSlug(slug: Slug): Record<string, unknown> {
  return {
    blob: { method: 'get', url: `https://s3-external-1.amazonaws.com/herokuslugs/heroku.com/v1/${slug.id}` },
    buildpack_provided_description: 'Node.js',
    checksum: `SHA256:${slug.id.replace(/-/g, '').padEnd(64, '0')}`,
    commit: slug.commit,
    commit_description: slug.commitDescription,
    created_at: isoSeconds(slug.createdAt),
    id: slug.id,
    process_types: { web: 'npm start' },
    size: 2048000,
    stack: STACK,
    updated_at: isoSeconds(slug.createdAt),
  };
}

/** heroku.md §6.1 "Response fields". */
export function renderDyno(state: SimulatorState, dyno: DynoRecord, dynoState: string, attachUrl: string | null): Record<string, unknown> {
  const app = state.apps.get(dyno.appId);
  return {
    attach_url: attachUrl,
    command: dyno.command,
    created_at: isoSeconds(dyno.createdAt),
    id: dyno.id,
    name: dyno.name,
    release: { id: dyno.releaseId, version: dyno.releaseVersion },
    app: { id: dyno.appId, name: app?.name ?? '' },
    size: dyno.size,
    state: dynoState,
    type: dyno.type,
    updated_at: isoSeconds(dyno.createdAt),
  };
}

/** heroku.md §3 "Deliveries" fields. */
export function renderDelivery(delivery: DeliveryRecord): Record<string, unknown> {
  const counted = delivery.attempts.filter((a) => !a.duplicate);
  const last = counted[counted.length - 1];
  return {
    created_at: isoSeconds(delivery.createdAt),
    event: { id: delivery.eventId, include: delivery.include },
    id: delivery.id,
    num_attempts: delivery.numAttempts,
    next_attempt_at: delivery.nextAttemptAt ? isoSeconds(delivery.nextAttemptAt) : null,
    last_attempt: last
      ? {
          id: last.id,
          code: last.responseStatus,
          error_class: last.error,
          status: last.finishedAt === null ? 'scheduled' : last.responseStatus !== null && last.responseStatus >= 200 && last.responseStatus < 300 ? 'succeeded' : 'failed',
          created_at: isoSeconds(last.startedAt),
          updated_at: isoSeconds(last.finishedAt ?? last.startedAt),
        }
      : null,
    status: delivery.status,
    updated_at: isoSeconds(delivery.updatedAt),
    webhook: { id: delivery.webhookId, level: delivery.level },
  };
}

/** heroku.md §3 "Events": the payload without webhook_metadata. */
export function renderEvent(event: WebhookEvent): Record<string, unknown> {
  return {
    created_at: isoSeconds(event.recordedAt),
    id: event.id,
    include: event.include,
    payload: {
      action: event.action,
      actor: event.actor,
      data: event.data,
      previous_data: {},
      resource: event.resource,
      version: WEBHOOK_PAYLOAD_VERSION,
    },
    updated_at: isoSeconds(event.recordedAt),
  };
}

/** heroku.md §2 "Revoke / uninstall": `id`, `client{id,name,redirect_uri}`, `scope`, `user`, tokens. */
export function renderAuthorization(state: SimulatorState, authorization: Authorization): Record<string, unknown> {
  const client = authorization.clientId ? state.clients.get(authorization.clientId) : undefined;
  const account = state.accounts.get(authorization.accountId);
  const access = state
    .accessTokensOf(authorization.id)
    .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())[0];
  const refresh = state.refreshTokensOf(authorization.id).find((t) => !t.dead);
  return {
    access_token: access
      ? { expires_in: Math.max(0, Math.round((access.expiresAt.getTime() - Date.now()) / 1000)), id: access.id, token: access.token }
      : null,
    client: client ? { id: client.id, name: client.name, redirect_uri: client.redirectUri } : null,
    created_at: isoSeconds(authorization.createdAt),
    description: client?.name ?? 'Simulated authorization',
    grant: null,
    id: authorization.id,
    refresh_token: refresh ? { expires_in: null, id: refresh.id, token: refresh.token } : null,
    scope: [...authorization.scope],
    session: null,
    updated_at: isoSeconds(authorization.updatedAt),
    user: { id: account?.id ?? '', email: account?.email ?? '', full_name: account?.name ?? null },
  };
}
