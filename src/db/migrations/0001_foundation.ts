import type { Knex } from 'knex';

/**
 * Tables shared by several features. Secrets are stored sealed (SecretBox), never in clear text;
 * columns holding them end in `_sealed`.
 */
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('integrations', (t) => {
    t.uuid('id').primary();
    t.text('org_id').notNullable().index();
    t.text('status').notNullable(); // pending | installing | connected | disconnecting | disconnected | error
    t.text('status_reason'); // human text shown with status=error (e.g. "reconnect needed: ...")
    t.text('heroku_account_id');
    t.text('heroku_account_email');
    t.text('heroku_authorization_id');
    t.text('access_token_sealed');
    t.text('refresh_token_sealed');
    t.timestamp('token_expires_at', { useTz: true });
    t.timestamps(true, true);
  });

  // One row per app an integration watches (or used to watch, while its webhook still needs deleting).
  await db.schema.createTable('integration_apps', (t) => {
    t.uuid('integration_id').notNullable().references('integrations.id').onDelete('CASCADE');
    t.text('app_name').notNullable();
    t.boolean('desired').notNullable().defaultTo(true); // false: removed from the list, webhook to delete
    t.text('status').notNullable(); // pending | syncing | active | error | removing | removed
    t.text('heroku_app_id');
    t.text('webhook_id');
    t.text('webhook_secret_sealed');
    t.text('last_error');
    t.timestamps(true, true);
    t.primary(['integration_id', 'app_name']);
  });

  await db.schema.createTable('services', (t) => {
    t.text('id').primary();
    t.text('org_id').notNullable();
    t.text('name').notNullable();
    t.text('heroku_app_name');
    t.timestamps(true, true);
    t.index(['org_id', 'heroku_app_name']);
  });

  await db.schema.createTable('timeline_events', (t) => {
    t.uuid('id').primary();
    t.text('incident_id').notNullable();
    t.text('kind').notNullable();
    t.text('summary').notNullable();
    t.jsonb('data').notNullable().defaultTo('{}');
    t.timestamp('occurred_at', { useTz: true }).notNullable();
    t.text('idempotency_key').unique(); // e.g. "command-run:<runId>": posting twice changes nothing
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
    t.index(['incident_id', 'occurred_at']);
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('timeline_events');
  await db.schema.dropTable('services');
  await db.schema.dropTable('integration_apps');
  await db.schema.dropTable('integrations');
}
