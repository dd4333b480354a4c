import type { Knex } from 'knex';

// Live output in Slack (slackLiveOutput): one message per channel, updated as the output grows,
// the file posted in its thread at the end. Each channel's progress (message ts, upload steps,
// final update) is recorded here so a retried activity neither posts twice nor loses a step.
export async function up(db: Knex): Promise<void> {
  await db.schema.alterTable('command_runs', (t) => {
    t.jsonb('slack_live').notNullable().defaultTo('[]');
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.alterTable('command_runs', (t) => {
    t.dropColumn('slack_live');
  });
}
