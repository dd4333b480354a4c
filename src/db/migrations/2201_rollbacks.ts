import type { Knex } from 'knex';

/**
 * Release rollbacks (README "Release rollback"). One row per rollback (its id is the
 * `<rollbackId>` of workflow `heroku-rollback-<rollbackId>`), with the markers that make the
 * Platform API call exactly-once: the current version seen before the call and the time the call
 * was first attempted (a retry then looks for the release it may already have created).
 */
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('rollbacks', (t) => {
    t.text('id').primary();
    t.text('workflow_id').notNullable();
    t.uuid('integration_id').notNullable().references('integrations.id').onDelete('CASCADE');
    t.text('app_name').notNullable();
    t.text('incident_id');
    t.jsonb('input').notNullable(); // the normalized RollbackHerokuRelease input
    t.text('status').notNullable(); // pending | running | succeeded | failed | cancelled
    t.text('target_release_id');
    t.integer('target_version');
    t.integer('current_version_before'); // the app's current release when the target was checked
    t.timestamp('rollback_requested_at', { useTz: true }); // POST /apps/{app}/releases may have reached Heroku
    t.text('release_id'); // the rollback's own release
    t.integer('release_version');
    t.text('error');
    t.jsonb('slack_posts').notNullable().defaultTo('[]'); // [{channel, channelId, status, error, ts, postingStartedAt}]
    t.uuid('timeline_event_id');
    t.timestamp('started_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
    t.timestamp('finished_at', { useTz: true });
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
    t.index(['integration_id', 'started_at']);
    t.index(['release_id']);
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('rollbacks');
}
