import type { Knex } from 'knex';

// Heroku's Fir generation (README "On Fir"): a run records the app's generation and stack, and the
// SSH host key it met; each integration has one SSH key pair (the private key sealed like the
// tokens), registered on the Heroku account the first time a Fir run needs it.
export async function up(db: Knex): Promise<void> {
  await db.schema.alterTable('command_runs', (t) => {
    t.text('generation'); // cedar | fir; null for runs from before this column
    t.text('app_stack'); // e.g. heroku-24, cnb (CNB apps get `launcher` prepended)
    t.text('ssh_host_key'); // SHA256 fingerprint of the dyno's SSH host key (Fir)
  });
  await db.schema.createTable('integration_ssh_keys', (t) => {
    t.uuid('integration_id').primary().references('integrations.id').onDelete('CASCADE');
    t.text('public_key').notNullable(); // OpenSSH one-line form
    t.text('private_key_sealed').notNullable();
    t.text('heroku_key_id'); // set once registered on the account (POST /account/keys)
    t.timestamp('registered_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('integration_ssh_keys');
  await db.schema.alterTable('command_runs', (t) => {
    t.dropColumn('generation');
    t.dropColumn('app_stack');
    t.dropColumn('ssh_host_key');
  });
}
