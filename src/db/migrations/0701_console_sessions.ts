import type { Knex } from 'knex';

/**
 * Admin console sessions. The cookie holds a random token; this table holds only its SHA-256
 * (a leaked table opens no session) and a binding to the admin token in force at sign-in
 * (an HMAC keyed by the session token), so rotating ADMIN_API_TOKEN ends every session.
 */
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('console_sessions', (t) => {
    t.text('id').primary(); // hex SHA-256 of the session token
    t.text('admin_token_binding').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
    t.timestamp('expires_at', { useTz: true }).notNullable().index();
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('console_sessions');
}
