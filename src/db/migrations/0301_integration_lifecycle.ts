import type { Knex } from 'knex';

/**
 * Install / app sync / disconnect of Heroku integrations (issue 3):
 * - `oauth_states`: the single-use OAuth `state` of a pending integration. Only a SHA-256 of the
 *   state is stored, so a database read does not hand out a usable state.
 * - `integrations.lifecycle_owner`: the workflow id currently allowed to change the integration's
 *   webhooks, tokens and status (install, app sync and disconnect never run at the same time).
 */
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('oauth_states', (t) => {
    t.text('state_hash').primary();
    t.uuid('integration_id').notNullable().references('integrations.id').onDelete('CASCADE').index();
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('used_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
  });

  await db.schema.alterTable('integrations', (t) => {
    t.text('lifecycle_owner');
    t.timestamp('lifecycle_acquired_at', { useTz: true });
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.alterTable('integrations', (t) => {
    t.dropColumn('lifecycle_acquired_at');
    t.dropColumn('lifecycle_owner');
  });
  await db.schema.dropTable('oauth_states');
}
