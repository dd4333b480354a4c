import { isSlackUserId } from './approval-input';
import type { ApprovalRow } from './approval-store';

// The Block Kit message of an approval request (docs.slack.dev/reference/block-kit/blocks/actions-block,
// .../block-elements/button-element): what would run, who asked, until when, and Approve / Reject
// buttons whose value is the approval id; once decided, the same message without buttons, saying who.

export const APPROVE_ACTION_ID = 'dynopulse_approve';
export const REJECT_ACTION_ID = 'dynopulse_reject';
/** The message's identity in Slack's message metadata: how a retry finds a message whose answer was lost. */
export const APPROVAL_MESSAGE_EVENT_TYPE = 'dynopulse_approval_request';

/** Section text is limited to 3000 characters (Block Kit section block). */
const COMMAND_CHARS = 2_800;

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
/** A Slack user id becomes a mention; an email stays text. */
const person = (who: string) => (isSlackUserId(who) ? `<@${who}>` : escape(who));
/** Slack's date formatting, with the ISO time as the fallback text. */
const slackDate = (at: Date) => `<!date^${Math.floor(at.getTime() / 1000)}^{date_short_pretty} {time}|${at.toISOString()}>`;

function requestSections(row: ApprovalRow, headline: string): unknown[] {
  const requester = row.requested_by ? `Requested by ${person(row.requested_by)} · ` : '';
  const approvers = row.approvers ? ` · approvers: ${row.approvers.map(person).join(', ')}` : '';
  const sections: unknown[] = [{ type: 'section', text: { type: 'mrkdwn', text: `*${headline}* to ${escape(plain(row.subject_summary))}\n${requester}expires ${slackDate(row.expires_at)}${approvers}` } }];
  if (row.rendered_command !== null) {
    const command = row.rendered_command.length > COMMAND_CHARS ? `${row.rendered_command.slice(0, COMMAND_CHARS - 1)}…` : row.rendered_command;
    sections.push({ type: 'section', text: { type: 'mrkdwn', text: `\`\`\`${escape(command.replace(/```/g, 'ˋˋˋ'))}\`\`\`` } });
  }
  return sections;
}

/** The summary is written in the workflow's Markdown (`**app**`); Slack's mrkdwn bold is `*app*`. */
const plain = (summary: string) => summary.replace(/\*\*/g, '*');

export function requestMessage(row: ApprovalRow): { text: string; blocks: unknown[] } {
  return {
    text: `Approval needed to ${plain(row.subject_summary)}`,
    blocks: [
      ...requestSections(row, 'Approval needed'),
      {
        type: 'actions',
        block_id: 'dynopulse_approval',
        elements: [
          { type: 'button', action_id: APPROVE_ACTION_ID, style: 'primary', text: { type: 'plain_text', text: 'Approve' }, value: row.id },
          { type: 'button', action_id: REJECT_ACTION_ID, style: 'danger', text: { type: 'plain_text', text: 'Reject' }, value: row.id },
        ],
      },
    ],
  };
}

/** "Approved by <@U0123> at …" and the request, without the buttons. */
export function decidedMessage(row: ApprovalRow): { text: string; blocks: unknown[] } {
  const at = row.decided_at ?? new Date();
  const reason = row.reason ? `: ${escape(row.reason)}` : '';
  const line =
    row.status === 'approved'
      ? `:white_check_mark: *Approved* by ${person(row.decided_by ?? 'someone')} ${slackDate(at)}${reason}`
      : row.status === 'rejected'
        ? `:x: *Rejected* by ${person(row.decided_by ?? 'someone')} ${slackDate(at)}${reason}`
        : `:hourglass: *Expired* ${slackDate(at)}: no one answered within ${Math.round(row.timeout_seconds / 60) || 1} min`;
  const plainLine = row.status === 'expired' ? 'Expired' : `${row.status === 'approved' ? 'Approved' : 'Rejected'} by ${row.decided_by}`;
  return {
    text: `${plainLine}: ${plain(row.subject_summary)}`,
    blocks: [...requestSections(row, 'Approval requested'), { type: 'context', elements: [{ type: 'mrkdwn', text: line }] }],
  };
}

/** The run was cancelled before anyone decided: the request without its buttons. */
export function cancelledMessage(row: ApprovalRow): { text: string; blocks: unknown[] } {
  return {
    text: `Cancelled before anyone decided: ${plain(row.subject_summary)}`,
    blocks: [...requestSections(row, 'Approval requested'), { type: 'context', elements: [{ type: 'mrkdwn', text: ':no_entry_sign: *Cancelled* before anyone decided' }] }],
  };
}
