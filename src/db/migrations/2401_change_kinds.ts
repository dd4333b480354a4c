import type { Knex } from 'knex';

// More kinds of change from the same webhooks (issue 21): which kinds an integration turns into
// pulses, and what "the state before" of a formation, add-on or app is looked up by.
export async function up(db: Knex): Promise<void> {
  // Every kind by default, so existing integrations watch everything (as before, plus the new kinds).
  await db.raw(
    `alter table integrations add column watched_kinds text[] not null
       default '{build,release,config,scaling,addon,maintenance,rename}'`,
  );
  // The state before a change is the newest stored event of the same resource (formation, add-on
  // or app id, which survive renames) when Heroku's previous_data is empty (heroku.md §4.3).
  await db.raw(
    `create index heroku_webhook_events_resource_state on heroku_webhook_events
       (integration_id, resource, (payload->'data'->>'id'), received_at desc)
       where resource in ('formation', 'addon', 'app')`,
  );
}

export async function down(db: Knex): Promise<void> {
  await db.raw('drop index if exists heroku_webhook_events_resource_state');
  await db.schema.alterTable('integrations', (t) => {
    t.dropColumn('watched_kinds');
  });
}
