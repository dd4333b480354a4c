import { describeOutcome, type RunOutcome } from '../command-runs/outcome';
import type { CommandRunRow } from '../command-runs/run-store';
import { runDurationSeconds, shortCommand, slackEscape } from '../activities/command-run/run-report';

// The words of a live message: while the command runs, and once it ended.

/** How much of the output's end a message shows: enough to follow progress, far below Slack's 40,000-character text limit. */
export const TAIL_LINES = 15;
export const TAIL_CHARS = 2_500;

/** The message's identity in Slack's message metadata: how a retry finds a message whose answer was lost. */
export const LIVE_MESSAGE_EVENT_TYPE = 'dynopulse_command_run';

/** The last lines of (already redacted) output, for a code block: no stray fence, Slack's control characters escaped. */
export function outputTail(output: string): string {
  const lines = output.replace(/\r\n?/g, '\n').replace(/\n$/, '').split('\n').slice(-TAIL_LINES);
  let text = lines.join('\n');
  if (text.length > TAIL_CHARS) text = `…${text.slice(-(TAIL_CHARS - 1))}`;
  return slackEscape(text.replace(/```/g, 'ˋˋˋ'));
}

function headline(run: CommandRunRow): string {
  const dyno = run.dyno_name ? ` (\`${run.dyno_name}\`)` : '';
  return `\`${slackEscape(shortCommand(run, 200))}\` on *${run.app_name}*${dyno}`;
}

const block = (tail: string) => (tail ? `\n\`\`\`${tail}\`\`\`` : '');

/** "Running `<command>` on *<app>* (`run.1234`)…" and the last lines so far. */
export function runningText(run: CommandRunRow, tail: string): string {
  return `Running ${headline(run)}…${block(tail)}`;
}

/** "Ran `<command>` on *<app>* (`run.1234`): exit code 0 after 12 s", the last lines, and where the whole output is. */
export function finalText(run: CommandRunRow, outcome: RunOutcome, tail: string): string {
  const mark = outcome.exitCode === 0 && !outcome.timedOut && outcome.problem === null ? '✅' : '❌';
  return `${mark} Ran ${headline(run)}: ${describeOutcome(outcome, runDurationSeconds(run))}${block(tail)}\nThe whole output is in the thread.`;
}
