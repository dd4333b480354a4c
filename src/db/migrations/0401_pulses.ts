import type { Knex } from 'knex';

/**
 * Pulses (deploy markers from Heroku webhooks), the webhook events they come from, and their links
 * to services. Also org scoping for the incident timeline.
 */
export async function up(db: Knex): Promise<void> {
  // Every accepted delivery, once: the event id (stable across Heroku's retries) and a business key
  // (resource id + state) both dedupe, so retries and Heroku's re-sent copies store nothing new.
  await db.schema.createTable('heroku_webhook_events', (t) => {
    t.uuid('integration_id').notNullable().references('integrations.id').onDelete('CASCADE');
    t.text('event_id').notNullable();
    t.text('org_id').notNullable();
    t.text('app_name').notNullable();
    t.text('resource').notNullable();
    t.text('action').notNullable();
    t.text('business_key'); // null for events without one (dyno events): deduped on the event id only
    t.text('webhook_id');
    t.text('delivery_id');
    t.jsonb('payload').notNullable(); // the envelope as received
    t.timestamp('received_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
    t.primary(['integration_id', 'event_id']);
    t.unique(['integration_id', 'business_key']);
    t.index(['integration_id', 'app_name', 'received_at']);
  });

  await db.schema.createTable('pulses', (t) => {
    t.uuid('id').primary();
    t.text('org_id').notNullable();
    t.uuid('integration_id').notNullable().references('integrations.id').onDelete('CASCADE');
    t.text('app_name').notNullable();
    t.text('dedupe_key').notNullable(); // e.g. build:<id>:succeeded, release:<id>:deployed
    t.text('source').notNullable();
    t.text('kind').notNullable(); // build | release
    t.text('summary').notNullable();
    t.jsonb('labels').notNullable();
    t.jsonb('data').notNullable();
    t.timestamp('started_at', { useTz: true }).notNullable();
    t.timestamp('ended_at', { useTz: true });
    // Sort key of "newest first": when the change happened (end, else start), not when we heard of it.
    t.timestamp('occurred_at', { useTz: true }).notNullable();
    t.text('event_id').notNullable();
    // The commit was not in the payload and a workflow is looking it up.
    t.boolean('commit_pending').notNullable().defaultTo(false);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
    t.unique(['integration_id', 'dedupe_key']);
  });
  // Tie-breaker of the sort (several pulses share a second) and part of the page cursor.
  await db.raw('alter table pulses add column seq bigint generated always as identity');
  await db.raw('create index pulses_org_newest on pulses (org_id, occurred_at desc, seq desc)');
  await db.raw('create index pulses_org_app_newest on pulses (org_id, app_name, occurred_at desc, seq desc)');

  await db.schema.createTable('pulse_services', (t) => {
    t.uuid('pulse_id').notNullable().references('pulses.id').onDelete('CASCADE');
    t.text('service_id').notNullable().references('services.id').onDelete('CASCADE');
    t.primary(['pulse_id', 'service_id']);
    t.index(['service_id', 'pulse_id']);
  });

  // Incident ids may repeat across orgs (e.g. "INC-42"): writers set org_id, readers may filter on it.
  await db.schema.alterTable('timeline_events', (t) => {
    t.text('org_id');
  });
  await db.raw('create index timeline_events_page on timeline_events (incident_id, occurred_at, id)');
}

export async function down(db: Knex): Promise<void> {
  await db.raw('drop index if exists timeline_events_page');
  await db.schema.alterTable('timeline_events', (t) => {
    t.dropColumn('org_id');
  });
  await db.schema.dropTable('pulse_services');
  await db.schema.dropTable('pulses');
  await db.schema.dropTable('heroku_webhook_events');
}
