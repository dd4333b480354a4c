import type { RunStatus } from './run-store';

// How a run ended, in the small shapes that pass through workflow history. Pure: the workflow uses it.

/** What the streaming activity saw. Output itself stays in PostgreSQL. */
export type StreamResult =
  /** The command finished and reported its exit status. */
  | { kind: 'exited'; exitCode: number; outputBytes: number }
  /** The stream closed without the exit-status marker and the dyno is gone (stopped, killed, crashed). */
  | { kind: 'ended_without_status'; outputBytes: number; message?: string }
  /** The connection broke while the dyno ran on; Rendezvous cannot be re-attached. */
  | { kind: 'lost'; outputBytes: number; message: string };

/** The end of a run as reported to Slack, the timeline and the run status. */
export interface RunOutcome {
  exitCode: number | null;
  timedOut: boolean;
  /** Why the run has no proper result (stream lost, no exit status), if it has none. */
  problem: string | null;
}

export function statusOf(outcome: RunOutcome): RunStatus {
  if (outcome.timedOut) return 'timed_out';
  return outcome.problem === null && outcome.exitCode === 0 ? 'succeeded' : 'failed';
}

/** "exit code 3 after 12 s", "timed out after 5 s", "output stream lost after 40 s". */
export function describeOutcome(outcome: RunOutcome, durationSeconds: number): string {
  const after = `after ${formatDuration(durationSeconds)}`;
  if (outcome.timedOut) return `timed out ${after} (output up to then)`;
  if (outcome.problem !== null) return `${outcome.problem.split(':')[0]} ${after} (output up to then)`;
  return `exit code ${outcome.exitCode} ${after}`;
}

export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  return s % 60 === 0 ? `${m} min` : `${m} min ${s % 60} s`;
}
