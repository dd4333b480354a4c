import type { Db } from '../db/knex';
import { targetText, type RollbackInput } from './input';

/** CONTRACT §6 "Rollback"; `awaiting_approval`, `rejected`, `expired` only with `approval` (the column is plain text). */
export const ROLLBACK_STATUSES = ['pending', 'awaiting_approval', 'running', 'succeeded', 'failed', 'rejected', 'expired', 'cancelled'] as const;
export type RollbackStatus = (typeof ROLLBACK_STATUSES)[number];
export const FINAL_ROLLBACK_STATUSES: readonly RollbackStatus[] = ['succeeded', 'failed', 'rejected', 'expired', 'cancelled'];

/** Where the result stands in one Slack channel (`channel` as the caller wrote it). */
export interface RollbackSlackPost {
  channel: string;
  channelId: string | null;
  status: 'pending' | 'posted' | 'failed';
  error: string | null;
  /** Set before `chat.postMessage`: a retry looks for the message (by its metadata) before posting again. */
  postingStartedAt: string | null;
  ts: string | null;
}

/** A `rollbacks` row (2201_rollbacks). */
export interface RollbackRow {
  id: string;
  workflow_id: string;
  integration_id: string;
  app_name: string;
  incident_id: string | null;
  input: StoredRollbackInput;
  status: RollbackStatus;
  target_release_id: string | null;
  target_version: number | null;
  current_version_before: number | null;
  rollback_requested_at: Date | null;
  release_id: string | null;
  release_version: number | null;
  error: string | null;
  slack_posts: RollbackSlackPost[];
  timeline_event_id: string | null;
  started_at: Date;
  finished_at: Date | null;
  updated_at: Date;
}

/** The input as stored: the target as the caller wrote it (plain JSON, compared for idempotency). */
export type StoredRollbackInput = Omit<RollbackInput, 'target'> & { target: string | number };

export function storedInput(input: RollbackInput): StoredRollbackInput {
  return JSON.parse(JSON.stringify({ ...input, target: targetText(input.target) })) as StoredRollbackInput;
}

export async function findRollback(db: Db, id: string): Promise<RollbackRow | undefined> {
  return db<RollbackRow>('rollbacks').where({ id }).first();
}

export async function getRollback(db: Db, id: string): Promise<RollbackRow> {
  const row = await findRollback(db, id);
  if (!row) throw new Error(`rollback ${id} does not exist`);
  return row;
}

/** Creates the rollback's row unless it exists (the API creates it before starting the workflow; a direct start creates it itself). */
export async function insertRollbackIfAbsent(db: Db, rollback: { id: string; workflowId: string; input: RollbackInput }): Promise<RollbackRow> {
  await db('rollbacks')
    .insert({
      id: rollback.id,
      workflow_id: rollback.workflowId,
      integration_id: rollback.input.integrationId,
      app_name: rollback.input.appName,
      incident_id: rollback.input.incident?.id ?? null,
      input: JSON.stringify(storedInput(rollback.input)),
      status: 'pending',
    })
    .onConflict('id')
    .ignore();
  return getRollback(db, rollback.id);
}

/** `running` from `pending` (checked, or approved): never over a final status or a wait for approval. */
export async function markRollbackRunning(db: Db, id: string): Promise<void> {
  await db('rollbacks').where({ id, status: 'pending' }).update({ status: 'running', updated_at: db.fn.now() });
}

export async function updateRollback(db: Db, id: string, patch: Partial<Omit<RollbackRow, 'id' | 'updated_at'>>): Promise<void> {
  const values: Record<string, unknown> = { ...patch, updated_at: db.fn.now() };
  if (patch.slack_posts) values['slack_posts'] = JSON.stringify(patch.slack_posts);
  await db('rollbacks').where({ id }).update(values);
}
