import { randomBytes, randomUUID } from 'node:crypto';
import { webhookSecretAad } from '../../src/crypto/aad';
import { HerokuClient, appPath, type AccessTokenSource } from '../../src/heroku/client';
import { integrationTokenSource, storeTokens } from '../../src/heroku/integration-tokens';
import type { Stack } from './stack';
import { OAUTH_CLIENT } from './stack';

export interface ConnectedIntegration {
  integrationId: string;
  orgId: string;
  accountId: string;
  accountEmail: string;
  /** Our webhook on each app: id and the secret Heroku signs deliveries with. */
  webhooks: Map<string, { webhookId: string; secret: string }>;
  heroku: HerokuClient;
  tokens: AccessTokenSource;
}

/**
 * A `connected` integration as the install workflow would leave it, built directly (account and
 * apps on the Heroku simulator, tokens sealed in `integrations`, one webhook per app with a
 * secret sealed in `integration_apps`). For tests of features that need an installed integration
 * without exercising the install itself.
 */
export async function connectIntegration(
  stack: Stack,
  options: { orgId?: string; apps: (string | { name: string; configVars?: Record<string, string>; generation?: 'cedar' | 'fir'; formation?: Record<string, number> })[]; email?: string },
): Promise<ConnectedIntegration> {
  const { db, box } = stack.h;
  const orgId = options.orgId ?? `org-${randomUUID().slice(0, 8)}`;
  const account = stack.heroku.createAccount({ email: options.email ?? `sre-${randomUUID().slice(0, 8)}@example.com` });
  const apps = options.apps.map((a) => (typeof a === 'string' ? { name: a } : a));
  for (const app of apps) stack.heroku.createApp({ name: app.name, owner: account.id, configVars: app.configVars, generation: app.generation, formation: app.formation });

  const integrationId = randomUUID();
  const creds = stack.heroku.authorize(account.id, { clientId: OAUTH_CLIENT.id, scope: ['global'] });
  await db('integrations').insert({
    id: integrationId,
    org_id: orgId,
    status: 'connected',
    heroku_account_id: account.id,
    heroku_account_email: account.email,
    heroku_authorization_id: creds.authorizationId,
  });
  await storeTokens(db, box, integrationId, { accessToken: creds.accessToken, refreshToken: creds.refreshToken, expiresAt: creds.expiresAt, userId: account.id });

  const tokens = integrationTokenSource({ db, box, oauth: { idUrl: stack.config.heroku.idUrl, clientId: OAUTH_CLIENT.id, clientSecret: OAUTH_CLIENT.secret, scope: 'global' } }, integrationId);
  const heroku = new HerokuClient({ apiUrl: stack.config.heroku.apiUrl, tokens });
  const webhooks = new Map<string, { webhookId: string; secret: string }>();
  for (const app of apps) {
    const secret = randomBytes(32).toString('hex');
    const hook = await heroku.post<{ id: string }>(`${appPath(app.name)}/webhooks`, {
      url: `${stack.config.publicUrl}/webhooks/heroku/${integrationId}`,
      include: ['api:build', 'api:release', 'api:dyno'],
      level: 'sync',
      secret,
    });
    await db('integration_apps').insert({
      integration_id: integrationId,
      app_name: app.name,
      status: 'active',
      webhook_id: hook.id,
      webhook_secret_sealed: box.seal(secret, webhookSecretAad(integrationId, app.name)),
    });
    webhooks.set(app.name, { webhookId: hook.id, secret });
  }
  return { integrationId, orgId, accountId: account.id, accountEmail: account.email, webhooks, heroku, tokens };
}
