import type { Db } from '../../db/knex';
import { adminTokenBinding, csrfTokenOf, newSessionToken, sameSecret, sessionIdOf } from './session-tokens';

/** How long a console session lasts after sign-in (absolute, not sliding). */
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

export interface ConsoleSession {
  /** The token the browser holds in the session cookie. */
  token: string;
  csrfToken: string;
  expiresAt: Date;
}

interface SessionRow {
  admin_token_binding: string;
  expires_at: Date;
}

/** Console sessions in PostgreSQL, so every API replica sees a sign-out at once. */
export class ConsoleSessionStore {
  constructor(
    private readonly db: Db,
    private readonly adminApiToken: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async create(): Promise<ConsoleSession> {
    const token = newSessionToken();
    const expiresAt = new Date(this.now().getTime() + SESSION_TTL_MS);
    // Opportunistic clean-up: sign-ins are rare, expired rows are useless.
    await this.db('console_sessions').where('expires_at', '<', this.now()).delete();
    await this.db('console_sessions').insert({ id: sessionIdOf(token), admin_token_binding: adminTokenBinding(token, this.adminApiToken), expires_at: expiresAt });
    return { token, csrfToken: csrfTokenOf(token), expiresAt };
  }

  /** The live session of a cookie value; undefined when unknown, expired or opened under another admin token. */
  async find(token: string | undefined): Promise<ConsoleSession | undefined> {
    if (!token || token.length > 200) return undefined;
    const row = (await this.db('console_sessions').where({ id: sessionIdOf(token) }).first('admin_token_binding', 'expires_at')) as SessionRow | undefined;
    if (!row || row.expires_at.getTime() <= this.now().getTime()) return undefined;
    if (!sameSecret(row.admin_token_binding, adminTokenBinding(token, this.adminApiToken))) return undefined;
    return { token, csrfToken: csrfTokenOf(token), expiresAt: row.expires_at };
  }

  async destroy(token: string): Promise<void> {
    await this.db('console_sessions').where({ id: sessionIdOf(token) }).delete();
  }
}
