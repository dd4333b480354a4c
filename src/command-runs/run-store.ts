import type { Db, Knex } from '../db/knex';
import type { LiveMessageState } from '../live-output/live-state';
import { DEFAULT_DYNO_SIZE, type RunCommandInput } from './input';

export const RUN_STATUSES = ['pending', 'awaiting_approval', 'running', 'succeeded', 'failed', 'timed_out', 'cancelled', 'rejected', 'expired'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export const FINAL_STATUSES: readonly RunStatus[] = ['succeeded', 'failed', 'timed_out', 'cancelled', 'rejected', 'expired'];

/** Where one Slack channel of a run stands (`channel` as the caller wrote it). */
export interface SlackPostState {
  channel: string;
  channelId: string | null;
  status: 'pending' | 'posted' | 'failed';
  error: string | null;
}

/** A `command_runs` row (0501_command_runs). */
export interface CommandRunRow {
  id: string;
  workflow_id: string;
  integration_id: string;
  app_name: string;
  incident_id: string | null;
  input: RunCommandInput;
  status: RunStatus;
  command: string | null;
  command_redacted: string | null;
  dyno_requested_at: Date | null;
  dyno_id: string | null;
  dyno_name: string | null;
  dyno_size: string | null;
  attach_url_sealed: string | null;
  dyno_created_at: Date | null;
  stream_attached_at: Date | null;
  stream_ended_at: Date | null;
  stream_lost: boolean;
  exit_code: number | null;
  timed_out: boolean;
  output_bytes: string | number; // bigint: pg returns a string
  output_lines: string | number;
  error: string | null;
  slack_file_id: string | null;
  slack_upload_url: string | null;
  slack_uploaded_at: Date | null;
  slack_completion_started_at: Date | null;
  slack_completed_at: Date | null;
  slack_posts: SlackPostState[];
  /** Live output in Slack, per channel (live-output/live-state.ts). */
  slack_live: LiveMessageState[];
  timeline_event_id: string | null;
  /** Fir (README "On Fir"): the app's generation and stack as read before the run, the dyno's SSH host key. */
  generation: 'cedar' | 'fir' | null;
  app_stack: string | null;
  ssh_host_key: string | null;
  started_at: Date;
  finished_at: Date | null;
  updated_at: Date;
}

export async function findRun(db: Db | Knex.Transaction, id: string): Promise<CommandRunRow | undefined> {
  return db<CommandRunRow>('command_runs').where({ id }).first();
}

export async function getRun(db: Db, id: string): Promise<CommandRunRow> {
  const row = await findRun(db, id);
  if (!row) throw new Error(`command run ${id} does not exist`);
  return row;
}

/**
 * Creates the run's row unless it exists (the API creates it before starting the workflow; a
 * directly started workflow creates it itself). Returns the row as stored.
 */
export async function insertRunIfAbsent(db: Db, run: { id: string; workflowId: string; input: RunCommandInput }): Promise<CommandRunRow> {
  await db('command_runs')
    .insert({
      id: run.id,
      workflow_id: run.workflowId,
      integration_id: run.input.integrationId,
      app_name: run.input.appName,
      incident_id: run.input.incident?.id ?? null,
      input: JSON.stringify(run.input),
      status: 'pending',
      dyno_size: run.input.dynoSize ?? DEFAULT_DYNO_SIZE,
    })
    .onConflict('id')
    .ignore();
  return getRun(db, run.id);
}

export async function updateRun(db: Db, id: string, patch: Partial<Omit<CommandRunRow, 'id' | 'updated_at'>>): Promise<void> {
  const values: Record<string, unknown> = { ...patch, updated_at: db.fn.now() };
  if (patch.slack_posts) values['slack_posts'] = JSON.stringify(patch.slack_posts);
  await db('command_runs').where({ id }).update(values);
}
