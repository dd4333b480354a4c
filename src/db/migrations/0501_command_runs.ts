import type { Knex } from 'knex';

/**
 * Run Command on Heroku. One row per run (its id is the `<runId>` of workflow `heroku-run-<runId>`),
 * the output as ordered chunks written while it streams (never in workflow history), and the
 * progress markers that make dyno creation and Slack posting safe to retry.
 */
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('command_runs', (t) => {
    t.text('id').primary();
    t.text('workflow_id').notNullable();
    t.uuid('integration_id').notNullable().references('integrations.id').onDelete('CASCADE');
    t.text('app_name').notNullable();
    t.text('incident_id');
    /** The normalized RunCommandOnHeroku input (command template, size, TTL, channels, incident). */
    t.jsonb('input').notNullable();
    t.text('status').notNullable(); // pending | running | succeeded | failed | timed_out | cancelled
    t.text('command'); // rendered template, as run (wrapped) on the dyno
    t.text('command_redacted'); // what the timeline shows
    t.timestamp('dyno_requested_at', { useTz: true }); // a create call may have reached Heroku: look before creating again
    t.text('dyno_id');
    t.text('dyno_name');
    t.text('dyno_size');
    t.text('attach_url_sealed'); // the Rendezvous secret, SecretBox-sealed
    t.timestamp('dyno_created_at', { useTz: true });
    t.timestamp('stream_attached_at', { useTz: true }); // Rendezvous secrets are single-use: never attach twice
    t.timestamp('stream_ended_at', { useTz: true });
    t.boolean('stream_lost').notNullable().defaultTo(false);
    t.integer('exit_code');
    t.boolean('timed_out').notNullable().defaultTo(false);
    t.bigInteger('output_bytes').notNullable().defaultTo(0);
    t.bigInteger('output_lines').notNullable().defaultTo(0);
    t.text('error');
    // Slack: one file for the run, completed once for every resolved channel.
    t.text('slack_file_id');
    t.text('slack_upload_url');
    t.timestamp('slack_uploaded_at', { useTz: true });
    t.timestamp('slack_completion_started_at', { useTz: true });
    t.timestamp('slack_completed_at', { useTz: true });
    t.jsonb('slack_posts').notNullable().defaultTo('[]'); // [{channel, channelId, status, error}]
    t.uuid('timeline_event_id');
    t.timestamp('started_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
    t.timestamp('finished_at', { useTz: true });
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
    t.index(['integration_id', 'started_at']);
    t.index(['incident_id']);
  });

  await db.schema.createTable('command_run_output_chunks', (t) => {
    t.text('run_id').notNullable().references('command_runs.id').onDelete('CASCADE');
    t.integer('seq').notNullable();
    t.binary('data').notNullable(); // compressed (output-codec.ts)
    t.integer('bytes').notNullable(); // uncompressed size
    t.primary(['run_id', 'seq']);
  });
  // Already compressed: no second compression attempt by TOAST.
  await db.raw('alter table command_run_output_chunks alter column data set storage external');
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('command_run_output_chunks');
  await db.schema.dropTable('command_runs');
}
