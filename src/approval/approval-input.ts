import { z } from 'zod';

// The optional approval gate of a command run or rollback (CONTRACT §6 "Approval"), validated the
// same way by the API, Nexus and the workflow itself. Pure: no I/O, the workflow sandbox runs it.

/** The longest a request may wait for an answer: a week (a Temporal timer holds it durably). */
export const MAX_APPROVAL_TIMEOUT_SECONDS = 7 * 24 * 3600;
const MAX_APPROVERS = 50;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** A Slack user id (`U…`, or `W…` on Enterprise Grid). */
const SLACK_USER_ID = /^[UW][A-Z0-9]{2,}$/;

export const isEmail = (who: string): boolean => EMAIL.test(who);
export const isSlackUserId = (who: string): boolean => SLACK_USER_ID.test(who);

/** An email (compared case-insensitively) or a Slack user id (compared exactly). */
export const identitySchema = (field: string) =>
  z
    .string(`${field} must be an email address or a Slack user id`)
    .trim()
    .max(320, `${field} is longer than 320 characters`)
    .refine((who) => isEmail(who) || isSlackUserId(who), `${field} must be an email address or a Slack user id (U0123ABCD)`)
    .transform(canonicalIdentity);

/** Emails in lower case; Slack ids as they are. */
export function canonicalIdentity(who: string): string {
  const trimmed = who.trim();
  return isEmail(trimmed) ? trimmed.toLowerCase() : trimmed;
}

export const approvalInputSchema = z.strictObject({
  timeoutSeconds: z
    .number('approval.timeoutSeconds must be a number of seconds')
    .int('approval.timeoutSeconds must be a whole number of seconds')
    .positive('approval.timeoutSeconds must be positive')
    .max(MAX_APPROVAL_TIMEOUT_SECONDS, `approval.timeoutSeconds is at most ${MAX_APPROVAL_TIMEOUT_SECONDS} (7 days)`),
  approvers: z
    .array(identitySchema('approval.approvers entries'), 'approval.approvers must be a list of emails or Slack user ids')
    .min(1, 'approval.approvers must not be empty (leave it out to let anyone but the requester approve)')
    .max(MAX_APPROVERS, `at most ${MAX_APPROVERS} approval.approvers`)
    .nullish() // null: the normalized form (the API hands the parsed input to the workflow, which parses it again)
    .transform((list) => (list ? [...new Set(list)] : null)),
});

export type ApprovalInput = z.output<typeof approvalInputSchema>;

/** `requestedBy` of an input: who asked (they may not approve their own request). */
export const requestedBySchema = identitySchema('requestedBy').optional();
