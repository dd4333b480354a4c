import type { Db } from '../db/knex';

/**
 * Where one channel's live message stands (`command_runs.slack_live`). Every step is recorded
 * before the next, so a retried activity continues where the last one stopped: the message is
 * posted once, the file uploaded and shared once, the final update made once.
 */
export interface LiveMessageState {
  channel: string;
  channelId: string;
  /** Set before `chat.postMessage`: with no `ts` yet, a retry looks the message up by its metadata first. */
  postingStartedAt: string | null;
  ts: string | null;
  fileId: string | null;
  uploadUrl: string | null;
  uploadedAt: string | null;
  completionStartedAt: string | null;
  completedAt: string | null;
  finalUpdatedAt: string | null;
  /** This channel gave up (message refused, channel gone): the others go on. */
  error: string | null;
}

export async function readLiveState(db: Db, runId: string): Promise<LiveMessageState[]> {
  const row = await db('command_runs').where({ id: runId }).first<{ slack_live: LiveMessageState[] } | undefined>('slack_live');
  return row?.slack_live ?? [];
}

export async function writeLiveState(db: Db, runId: string, states: readonly LiveMessageState[]): Promise<void> {
  await db('command_runs').where({ id: runId }).update({ slack_live: JSON.stringify(states), updated_at: db.fn.now() });
}

/** Replaces one channel's state and stores all of them. */
export async function recordChannel(db: Db, runId: string, states: LiveMessageState[], index: number, patch: Partial<LiveMessageState>): Promise<void> {
  states[index] = { ...(states[index] as LiveMessageState), ...patch };
  await writeLiveState(db, runId, states);
}
