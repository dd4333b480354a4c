import { z } from 'zod';
import { canonicalIdentity, identitySchema } from './approval-input';

// Who may decide an approval request, as the workflow's Update validator checks it (and the API
// answers 403/409 from). Pure: the workflow sandbox runs it.

export const APPROVAL_STATUSES = ['pending', 'approved', 'rejected', 'expired'] as const;
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];

export type DecisionKind = 'approve' | 'reject';
export const DECISION_CHANNELS = ['api', 'console', 'slack', 'temporal'] as const;

/** The Update names of a gated workflow (`temporal workflow update execute --name approve`). */
export const UPDATE_NAMES: Record<DecisionKind, string> = { approve: 'approve', reject: 'reject' };

/** Failure types of a refused Update (the API maps them to 409 and 403). */
export const NOT_AWAITING_APPROVAL = 'NotAwaitingApproval';
export const APPROVER_NOT_ALLOWED = 'ApproverNotAllowed';

/**
 * The argument of the `approve` / `reject` Updates. `by` is shown as the decider; `identities`
 * are every name the decider is known by (a Slack user's id and email), all checked against the
 * approvers and the requester. Any Temporal client may send it, so it is validated like input.
 */
export const decisionRequestSchema = z.strictObject({
  by: identitySchema('by'),
  identities: z.array(identitySchema('identities entries')).max(5).optional(),
  reason: z.string('reason must be a string').trim().max(1000, 'reason is longer than 1000 characters').optional().transform((r) => (r ? r : null)),
  via: z.enum(DECISION_CHANNELS).optional().transform((v) => v ?? 'temporal'),
});
export type DecisionRequest = z.input<typeof decisionRequestSchema>;
export type ParsedDecision = z.output<typeof decisionRequestSchema>;

export interface ApprovalPolicy {
  approvers: readonly string[] | null;
  requestedBy: string | null;
  /** What is gated, in the refusal messages ("requested this rollback"); a run by default. */
  noun?: 'run' | 'rollback';
}

export interface Refusal {
  type: typeof NOT_AWAITING_APPROVAL | typeof APPROVER_NOT_ALLOWED;
  message: string;
}

/**
 * Why `request` may not decide, or undefined when it may. Approving needs someone in the list
 * (when there is one) who is not the requester; rejecting is open to the approvers and to the
 * requester (withdrawing their own request).
 */
export function refusalOf(kind: DecisionKind, status: ApprovalStatus, policy: ApprovalPolicy, request: ParsedDecision): Refusal | undefined {
  if (status !== 'pending') return { type: NOT_AWAITING_APPROVAL, message: `not awaiting approval: the request is ${status}` };
  const who = new Set([request.by, ...(request.identities ?? [])].map(canonicalIdentity));
  const isRequester = policy.requestedBy !== null && who.has(policy.requestedBy);
  const listed = policy.approvers === null || policy.approvers.some((a) => who.has(a));
  if (kind === 'approve' && isRequester) return { type: APPROVER_NOT_ALLOWED, message: `${request.by} requested this ${policy.noun ?? 'run'} and may not approve it (four eyes)` };
  if (!listed && !(kind === 'reject' && isRequester)) return { type: APPROVER_NOT_ALLOWED, message: `${request.by} is not one of the approvers of this request` };
  return undefined;
}
