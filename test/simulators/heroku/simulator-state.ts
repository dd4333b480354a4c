// The in-memory state shared by the Platform API and id.heroku.com listeners.
import type {
  Account,
  AccessToken,
  Addon,
  App,
  Authorization,
  AuthorizationCode,
  Build,
  DynoRecord,
  Formation,
  OAuthClient,
  RefreshToken,
  Release,
  Slug,
  WebhookEvent,
  WebhookSubscription,
} from './model';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class SimulatorState {
  readonly accounts = new Map<string, Account>();
  readonly apps = new Map<string, App>();
  readonly clients = new Map<string, OAuthClient>();
  readonly authorizations = new Map<string, Authorization>();
  /** By code string. */
  readonly codes = new Map<string, AuthorizationCode>();
  /** By token string. */
  readonly accessTokens = new Map<string, AccessToken>();
  /** By token string. */
  readonly refreshTokens = new Map<string, RefreshToken>();
  readonly webhooks = new Map<string, WebhookSubscription>();
  readonly builds = new Map<string, Build>();
  readonly releases = new Map<string, Release>();
  readonly slugs = new Map<string, Slug>();
  readonly dynos = new Map<string, DynoRecord>();
  readonly events = new Map<string, WebhookEvent>();
  readonly formations = new Map<string, Formation>();
  readonly addons = new Map<string, Addon>();

  accountByEmail(email: string): Account | undefined {
    return [...this.accounts.values()].find((a) => a.email.toLowerCase() === email.toLowerCase());
  }

  /** An app by id or name (`{app_id_or_name}` in every app path). */
  findApp(idOrName: string): App | undefined {
    if (UUID.test(idOrName)) {
      const byId = this.apps.get(idOrName.toLowerCase());
      if (byId) return byId;
    }
    return [...this.apps.values()].find((a) => a.name === idOrName);
  }

  canAccess(account: Account, app: App): boolean {
    return app.ownerId === account.id || app.collaboratorIds.includes(account.id);
  }

  appsOf(account: Account): App[] {
    return [...this.apps.values()].filter((app) => this.canAccess(account, app));
  }

  webhooksOf(appId: string): WebhookSubscription[] {
    return [...this.webhooks.values()].filter((w) => w.appId === appId);
  }

  releasesOf(appId: string): Release[] {
    return [...this.releases.values()].filter((r) => r.appId === appId);
  }

  currentRelease(appId: string): Release | undefined {
    return this.releasesOf(appId).find((r) => r.current);
  }

  nextReleaseVersion(appId: string): number {
    return this.releasesOf(appId).reduce((max, r) => Math.max(max, r.version), 0) + 1;
  }

  eventsOf(appId: string): WebhookEvent[] {
    return [...this.events.values()].filter((e) => e.appId === appId);
  }

  dynosOf(appId: string): DynoRecord[] {
    return [...this.dynos.values()].filter((d) => d.appId === appId);
  }

  authorizationsOf(accountId: string): Authorization[] {
    return [...this.authorizations.values()].filter((a) => a.accountId === accountId && !a.revoked);
  }

  accessTokensOf(authorizationId: string): AccessToken[] {
    return [...this.accessTokens.values()].filter((t) => t.authorizationId === authorizationId);
  }

  refreshTokensOf(authorizationId: string): RefreshToken[] {
    return [...this.refreshTokens.values()].filter((t) => t.authorizationId === authorizationId);
  }
}
