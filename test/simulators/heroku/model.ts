// The in-memory records of the simulated Heroku. Field names follow the Platform API schema
// (heroku.md §1–6); the JSON shapes the API answers with are built in representations.ts.

/** A Heroku account (a user). heroku.md §2 "Which account installed". */
export interface Account {
  readonly id: string;
  readonly email: string;
  readonly name: string | null;
  readonly createdAt: Date;
}

/** An app owned by one account, optionally shared with collaborators. */
export interface App {
  readonly id: string;
  /** Changes on rename (`PATCH /apps/{app}` name; simulated by renameApp). */
  name: string;
  /** Maintenance mode (Platform API `app.maintenance`). */
  maintenance: boolean;
  readonly ownerId: string;
  readonly collaboratorIds: string[];
  /** Paranoid-mode app: write calls answer 403 `two_factor` (heroku.md §2 "2FA-protected apps"). */
  readonly twoFactor: boolean;
  /** `cedar`, or `fir` (CNB stack, formation dynos, run-inside, OCI images: fir/, docs/heroku-fir.md). */
  readonly generation: 'cedar' | 'fir';
  readonly configVars: Map<string, string>;
  readonly createdAt: Date;
  updatedAt: Date;
  releasedAt: Date | null;
}

/** A registered OAuth client (Dashboard → Applications). heroku.md §2 "Client registration". */
export interface OAuthClient {
  readonly id: string;
  readonly secret: string;
  readonly name: string;
  /** Registered redirect URI; `null` means the authorize request must carry `redirect_uri`. */
  readonly redirectUri: string | null;
}

/** OAuth scopes, heroku.md §2 "Scope values". */
export type OAuthScope = 'global' | 'identity' | 'read' | 'write' | 'read-protected' | 'write-protected';
export const OAUTH_SCOPES: readonly OAuthScope[] = ['global', 'identity', 'read', 'write', 'read-protected', 'write-protected'];

/** An OAuth authorization: the link between one account and one client, owning the tokens. */
export interface Authorization {
  readonly id: string;
  readonly accountId: string;
  /** `null` for authorizations created programmatically without a client. */
  readonly clientId: string | null;
  readonly scope: OAuthScope[];
  readonly createdAt: Date;
  updatedAt: Date;
  revoked: boolean;
}

/** A single-use authorization code (grant) from the authorize redirect. */
export interface AuthorizationCode {
  readonly code: string;
  readonly authorizationId: string;
  readonly clientId: string;
  readonly expiresAt: Date;
  used: boolean;
}

export interface AccessToken {
  readonly id: string;
  readonly token: string;
  readonly authorizationId: string;
  readonly accountId: string;
  readonly createdAt: Date;
  expiresAt: Date;
}

export interface RefreshToken {
  readonly id: string;
  readonly token: string;
  readonly authorizationId: string;
  /** Set when a refresh rotated it away (rotateRefreshTokens) or the authorization was revoked. */
  dead: boolean;
}

/** Webhook levels, heroku.md §3 (create) and §4.4. */
export type WebhookLevel = 'notify' | 'sync';

/** Entities accepted in a subscription's `include`, heroku.md §3 "Entity names". */
export const WEBHOOK_ENTITIES = [
  'api:addon-attachment',
  'api:addon',
  'api:app',
  'api:build',
  'api:collaborator',
  'api:domain',
  'api:dyno',
  'api:formation',
  'api:release',
  'api:sni-endpoint',
  'dyno',
] as const;
export type WebhookEntity = (typeof WEBHOOK_ENTITIES)[number];

/** An app webhook subscription, heroku.md §3. The secret is kept here and never rendered by GET. */
export interface WebhookSubscription {
  readonly id: string;
  readonly appId: string;
  url: string;
  include: WebhookEntity[];
  level: WebhookLevel;
  secret: string;
  authorization: string | null;
  readonly createdAt: Date;
  updatedAt: Date;
}

/** A slug (build artifact), heroku.md §5.3. */
export interface Slug {
  readonly id: string;
  readonly appId: string;
  readonly commit: string | null;
  readonly commitDescription: string | null;
  readonly createdAt: Date;
}

export type BuildStatus = 'pending' | 'succeeded' | 'failed';

/** A build, heroku.md §5.1. */
export interface Build {
  readonly id: string;
  readonly appId: string;
  readonly userId: string;
  readonly commit: string;
  status: BuildStatus;
  slugId: string | null;
  releaseId: string | null;
  readonly createdAt: Date;
  updatedAt: Date;
}

export type ReleaseStatus = 'pending' | 'succeeded' | 'failed' | 'expired';

/** A release, heroku.md §5.2. */
export interface Release {
  readonly id: string;
  readonly appId: string;
  readonly version: number;
  readonly description: string;
  readonly userId: string;
  readonly slugId: string | null;
  /** Fir releases carry an OCI image instead of a slug. */
  readonly ociImageId?: string | null;
  status: ReleaseStatus;
  current: boolean;
  readonly releasePhase: boolean;
  readonly createdAt: Date;
  updatedAt: Date;
}

/** One dyno created through `POST /apps/{app}/dynos` (heroku.md §6.1). */
export interface DynoRecord {
  readonly id: string;
  readonly name: string;
  readonly appId: string;
  readonly command: string;
  /** Canonical display name, e.g. `Standard-1X`. */
  readonly size: string;
  readonly type: string;
  readonly releaseId: string;
  readonly releaseVersion: number;
  readonly attachUrl: string | null;
  readonly createdAt: Date;
}

/** A webhook event (one state change of one resource), heroku.md §3 "Events" and §4.3. */
export interface WebhookEvent {
  /** Event id, also `webhook_metadata.event.id` (§4.3). */
  readonly id: string;
  readonly appId: string;
  readonly include: string;
  readonly resource: string;
  readonly action: string;
  readonly actor: { id: string; email: string };
  readonly data: Record<string, unknown>;
  /** Envelope timestamps, already formatted: their format differs by resource (§4.3). */
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly publishedAt: string;
  /** Deliver a byte-identical second copy of every attempt (Private Spaces duplicates, §4.5). */
  readonly duplicate: boolean;
  readonly recordedAt: Date;
}

/** A process type's formation (Platform API `formation`: type, quantity, size, command). */
export interface Formation {
  readonly id: string;
  readonly appId: string;
  readonly type: string;
  quantity: number;
  /** Display name, e.g. `Standard-1X` (heroku.md §6.1 `size`). */
  size: string;
  readonly command: string;
  readonly createdAt: Date;
  updatedAt: Date;
}

/** An add-on (Platform API `add-on`: addon_service, plan, state, config_vars names). */
export interface Addon {
  readonly id: string;
  readonly appId: string;
  /** Globally unique name, e.g. `postgresql-cubic-12345`. */
  readonly name: string;
  readonly service: { readonly id: string; readonly name: string };
  plan: { id: string; name: string };
  state: 'provisioning' | 'provisioned' | 'deprovisioned';
  /** Attachment name, e.g. `DATABASE` (the config var is `<name>_URL`). */
  readonly attachmentName: string;
  readonly createdAt: Date;
  updatedAt: Date;
}
