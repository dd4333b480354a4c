import { z } from 'zod';
import { APPROVE_ACTION_ID, REJECT_ACTION_ID } from './slack-blocks';
import type { DecisionKind } from './decision-rules';

// The `block_actions` payload Slack sends when a button is clicked
// (docs.slack.dev/reference/interaction-payloads/block_actions-payload): form-encoded, one field
// `payload` holding JSON. Only the fields the gate reads are checked; Slack adds more over time.

const blockActionsSchema = z.looseObject({
  type: z.literal('block_actions'),
  user: z.looseObject({ id: z.string().min(1), username: z.string().optional(), name: z.string().optional(), team_id: z.string().optional() }),
  actions: z.array(z.looseObject({ action_id: z.string(), value: z.string().optional(), type: z.string().optional() })).min(1),
  container: z.looseObject({ channel_id: z.string().optional(), message_ts: z.string().optional() }).optional(),
  response_url: z.string().optional(),
});

export interface ApprovalClick {
  kind: DecisionKind;
  approvalId: string;
  userId: string;
  userName: string | undefined;
  responseUrl: string | undefined;
}

export type ParsedInteraction = { kind: 'click'; click: ApprovalClick } | { kind: 'ignored'; why: string } | { kind: 'invalid'; message: string };

export function parseInteraction(rawBody: Buffer): ParsedInteraction {
  const payload = new URLSearchParams(rawBody.toString('utf8')).get('payload');
  if (payload === null) return { kind: 'invalid', message: 'expected a form-encoded body with a payload field' };
  let json: unknown;
  try {
    json = JSON.parse(payload);
  } catch {
    return { kind: 'invalid', message: 'payload is not JSON' };
  }
  if ((json as { type?: unknown } | null)?.type !== 'block_actions') return { kind: 'ignored', why: `interaction type ${String((json as { type?: unknown } | null)?.type)}` };
  const parsed = blockActionsSchema.safeParse(json);
  if (!parsed.success) return { kind: 'invalid', message: 'block_actions payload without user or actions' };
  const action = parsed.data.actions.find((a) => a.action_id === APPROVE_ACTION_ID || a.action_id === REJECT_ACTION_ID);
  if (!action?.value) return { kind: 'ignored', why: 'not an approval button' };
  return {
    kind: 'click',
    click: {
      kind: action.action_id === APPROVE_ACTION_ID ? 'approve' : 'reject',
      approvalId: action.value,
      userId: parsed.data.user.id,
      userName: parsed.data.user.username ?? parsed.data.user.name,
      responseUrl: parsed.data.response_url,
    },
  };
}
