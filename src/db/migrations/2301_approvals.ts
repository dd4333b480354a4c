import type { Knex } from 'knex';

/**
 * The approval gate (README "Approval gate"): one request per gated run or rollback, who decided,
 * when and through what, and the Slack messages that carry its buttons (each step recorded so a
 * retried activity neither posts twice nor loses the final update). Slack interaction receipts
 * make a replayed (re-sent, validly signed) click refused instead of acted on twice.
 */
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('approvals', (t) => {
    t.text('id').primary(); // `<subject_kind>:<subject_id>`, the value of the Slack buttons
    t.text('subject_kind').notNullable(); // command_run | rollback
    t.text('subject_id').notNullable();
    t.text('workflow_id').notNullable();
    t.text('status').notNullable(); // pending | approved | rejected | expired
    t.text('requested_by');
    t.jsonb('approvers'); // null: anyone but the requester
    t.text('rendered_command'); // redacted; null for a rollback
    t.text('subject_summary').notNullable(); // "run `rake db:migrate` on my-app"
    t.integer('timeout_seconds').notNullable();
    t.timestamp('requested_at', { useTz: true }).notNullable();
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.text('decided_by');
    t.timestamp('decided_at', { useTz: true });
    t.text('reason');
    t.text('decided_via'); // api | console | slack | temporal | timer
    t.jsonb('slack_messages').notNullable().defaultTo('[]');
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
    t.unique(['subject_kind', 'subject_id']);
  });
  await db.schema.createTable('slack_interaction_receipts', (t) => {
    t.text('signature_digest').primary(); // sha256 of X-Slack-Signature: each signed request is acted on once
    t.timestamp('received_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
    t.index(['received_at']);
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('slack_interaction_receipts');
  await db.schema.dropTable('approvals');
}
