// OAuth authorizations, codes and tokens (heroku.md §2): issue on code exchange, refresh,
// expire, revoke, and resolve a bearer token to its account.
import { randomBytes, randomUUID } from 'node:crypto';
import type { Account, AccessToken, Authorization, AuthorizationCode, OAuthScope, RefreshToken } from './model';
import type { SimulatorState } from './simulator-state';

export interface TokenPolicy {
  /** Access-token lifetime; Heroku: 8 hours (heroku.md §2 "Access-token lifetime"). */
  accessTokenTtlSeconds: number;
  /**
   * Whether a refresh returns a new refresh token and kills the old one. Unconfirmed for Heroku
   * (heroku.md §2 "Refresh", §9.1); default true so that a client which keeps using an old
   * refresh token fails here instead of in production.
   */
  rotateRefreshTokens: boolean;
  /** Lifetime of an authorization code; 10 minutes. */
  codeTtlSeconds: number;
}

/** What a successful code exchange or refresh yields. */
export interface IssuedTokens {
  readonly authorization: Authorization;
  readonly accessToken: AccessToken;
  readonly refreshToken: RefreshToken;
}

export interface Authenticated {
  readonly account: Account;
  readonly authorization: Authorization;
  readonly token: AccessToken;
}

/** `HRKU-` prefixed token strings like Heroku's current token format. */
function tokenString(): string {
  return `HRKU-${randomBytes(30).toString('base64url')}`;
}

export class OAuthTokens {
  /** Every access and refresh token string ever handed out, revoked or not (for leak checks). */
  readonly issued: string[] = [];

  constructor(
    private readonly state: SimulatorState,
    readonly policy: TokenPolicy,
  ) {}

  createAuthorization(accountId: string, clientId: string | null, scope: OAuthScope[]): Authorization {
    const now = new Date();
    const authorization: Authorization = { id: randomUUID(), accountId, clientId, scope, createdAt: now, updatedAt: now, revoked: false };
    this.state.authorizations.set(authorization.id, authorization);
    return authorization;
  }

  /** The grant code that the authorize redirect carries. */
  createCode(authorization: Authorization, clientId: string): AuthorizationCode {
    const code: AuthorizationCode = {
      code: randomUUID(),
      authorizationId: authorization.id,
      clientId,
      expiresAt: new Date(Date.now() + this.policy.codeTtlSeconds * 1000),
      used: false,
    };
    this.state.codes.set(code.code, code);
    return code;
  }

  /** New access + refresh token for an authorization (after a code exchange). */
  issue(authorization: Authorization): IssuedTokens {
    return { authorization, accessToken: this.newAccessToken(authorization), refreshToken: this.newRefreshToken(authorization) };
  }

  /** A refresh: new access token; with rotation, a new refresh token and the old one dies. */
  refresh(refresh: RefreshToken): IssuedTokens {
    const authorization = this.state.authorizations.get(refresh.authorizationId);
    if (!authorization) throw new Error('refresh token without authorization');
    const accessToken = this.newAccessToken(authorization);
    if (!this.policy.rotateRefreshTokens) return { authorization, accessToken, refreshToken: refresh };
    refresh.dead = true;
    return { authorization, accessToken, refreshToken: this.newRefreshToken(authorization) };
  }

  /** Resolves a bearer token; undefined when unknown, expired or revoked. */
  authenticate(token: string): Authenticated | undefined {
    const accessToken = this.state.accessTokens.get(token);
    if (!accessToken || accessToken.expiresAt.getTime() <= Date.now()) return undefined;
    const authorization = this.state.authorizations.get(accessToken.authorizationId);
    if (!authorization || authorization.revoked) return undefined;
    const account = this.state.accounts.get(accessToken.accountId);
    if (!account) return undefined;
    return { account, authorization, token: accessToken };
  }

  /** Makes the current access tokens (of one account, or all) fail with 401. */
  expireAccessTokens(accountId?: string): number {
    let count = 0;
    const past = new Date(Date.now() - 1000);
    for (const token of this.state.accessTokens.values()) {
      if (accountId !== undefined && token.accountId !== accountId) continue;
      if (token.expiresAt.getTime() > Date.now()) {
        token.expiresAt = past;
        count += 1;
      }
    }
    return count;
  }

  /** The user revoked the authorization: its access and refresh tokens die (heroku.md §2 "Revoke"). */
  revoke(authorizationId: string): boolean {
    const authorization = this.state.authorizations.get(authorizationId);
    if (!authorization || authorization.revoked) return false;
    authorization.revoked = true;
    authorization.updatedAt = new Date();
    for (const token of this.state.accessTokensOf(authorizationId)) this.state.accessTokens.delete(token.token);
    for (const token of this.state.refreshTokensOf(authorizationId)) token.dead = true;
    for (const [code, grant] of this.state.codes) if (grant.authorizationId === authorizationId) this.state.codes.delete(code);
    return true;
  }

  private newAccessToken(authorization: Authorization): AccessToken {
    const now = new Date();
    const token: AccessToken = {
      id: randomUUID(),
      token: tokenString(),
      authorizationId: authorization.id,
      accountId: authorization.accountId,
      createdAt: now,
      expiresAt: new Date(now.getTime() + this.policy.accessTokenTtlSeconds * 1000),
    };
    this.state.accessTokens.set(token.token, token);
    this.issued.push(token.token);
    return token;
  }

  private newRefreshToken(authorization: Authorization): RefreshToken {
    const token: RefreshToken = { id: randomUUID(), token: tokenString(), authorizationId: authorization.id, dead: false };
    this.state.refreshTokens.set(token.token, token);
    this.issued.push(token.token);
    return token;
  }
}
