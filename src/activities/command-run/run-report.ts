import { describeOutcome, type RunOutcome } from '../../command-runs/outcome';
import type { CommandRunRow } from '../../command-runs/run-store';

// The words a finished run is reported in, on Slack and on the incident timeline.

/** Seconds from the dyno's creation to the end of its output. */
export function runDurationSeconds(run: Pick<CommandRunRow, 'dyno_created_at' | 'started_at' | 'stream_ended_at'>): number {
  const from = (run.dyno_created_at ?? run.started_at).getTime();
  const to = (run.stream_ended_at ?? new Date()).getTime();
  return Math.max(0, (to - from) / 1000);
}

/** The command for a one-line summary: redacted, on one line, shortened. */
export function shortCommand(run: Pick<CommandRunRow, 'command_redacted'>, max = 120): string {
  const oneLine = (run.command_redacted ?? '').replace(/\s+/g, ' ').trim();
  return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
}

/** "Ran `rake db:rollback` on my-app: exit code 0 after 12 s" */
export function runSummary(run: CommandRunRow, outcome: RunOutcome): string {
  return `Ran \`${shortCommand(run)}\` on ${run.app_name}: ${describeOutcome(outcome, runDurationSeconds(run))}`;
}

/** Slack mrkdwn control characters in user text (incident titles) must be escaped. */
export const slackEscape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * The comment of the Slack post: app, dyno, exit code (or why there is none), duration, incident.
 * e.g. "*my-app* `run.1234` (Standard-1X): exit code 3 after 12 s · incident <url|INC-1 DB down>"
 */
export function slackComment(run: CommandRunRow, outcome: RunOutcome): string {
  const incident = run.input.incident;
  const name = slackEscape([incident?.id, incident?.title].filter(Boolean).join(' '));
  const url = incident?.url && /^https?:\/\/[^\s|<>]+$/.test(incident.url) ? incident.url : undefined;
  const incidentPart = incident ? ` · incident ${url ? `<${url}|${name || url}>` : name}` : '';
  const dyno = run.dyno_name ? ` \`${run.dyno_name}\`` : '';
  const size = run.dyno_size ? ` (${run.dyno_size})` : '';
  return `Run Command on Heroku: *${run.app_name}*${dyno}${size}: ${describeOutcome(outcome, runDurationSeconds(run))}${incidentPart}\n\`${slackEscape(shortCommand(run, 300))}\``;
}
