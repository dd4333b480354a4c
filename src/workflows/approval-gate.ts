import * as wf from '@temporalio/workflow';
import type { Activities } from '../activities';
import { approvalIdOf, type ApprovalSubjectKind } from '../approval/approval-id';
import type { ApprovalInput } from '../approval/approval-input';
import { decisionRequestSchema, refusalOf, UPDATE_NAMES, type ApprovalStatus, type DecisionKind, type DecisionRequest, type ParsedDecision } from '../approval/decision-rules';
import { ApprovalStatusKey } from '../temporal/search-attributes';

/** What an `approve` / `reject` Update answers, and what the gate ends with. */
export interface ApprovalOutcome {
  status: ApprovalStatus;
  decidedBy: string | null;
  decidedAt: string | null;
  reason: string | null;
}

/** The Updates of a gated workflow (README "Approval gate"); the validator refuses who may not decide. */
export const approveUpdate = wf.defineUpdate<ApprovalOutcome, [DecisionRequest]>(UPDATE_NAMES.approve);
export const rejectUpdate = wf.defineUpdate<ApprovalOutcome, [DecisionRequest]>(UPDATE_NAMES.reject);

const steps = wf.proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', maximumAttempts: 10 },
});

/** Slack trouble never blocks the gate: the API and the console still decide. */
const slack = wf.proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '2 seconds', maximumInterval: '1 minute', maximumAttempts: 6 },
});

export interface ApprovalGateOptions {
  kind: ApprovalSubjectKind;
  subjectId: string;
  approval: ApprovalInput;
  requestedBy: string | null;
  /** What would run, as shown to approvers (redacted); null for a rollback. */
  renderedCommand: string | null;
  /** "run `rake db:migrate` on **my-app**" */
  summary: string;
  slackChannels: readonly string[];
}

/**
 * Holds the workflow until someone allowed decides (the `approve` / `reject` Updates) or the
 * timeout passes (a durable timer: `expired`). Records the request and the decision, shows both in
 * Slack, the search attribute ApprovalStatus and the workflow's details. Nothing else happens
 * before it returns, so nothing reaches Heroku without approval.
 */
export async function approvalGate(gate: ApprovalGateOptions): Promise<ApprovalOutcome> {
  const id = approvalIdOf(gate.kind, gate.subjectId);
  const policy = { approvers: gate.approval.approvers, requestedBy: gate.requestedBy, noun: gate.kind === 'rollback' ? ('rollback' as const) : ('run' as const) };
  let status: ApprovalStatus = 'pending';
  /** Set when an accepted Update starts deciding: later ones are refused at once. */
  let deciding: ApprovalStatus | undefined;
  let outcome: ApprovalOutcome | undefined;
  let opened = false;

  const refusal = (kind: DecisionKind, raw: unknown): { request: ParsedDecision } => {
    const parsed = decisionRequestSchema.safeParse(raw);
    if (!parsed.success) throw wf.ApplicationFailure.nonRetryable(`Invalid decision: ${parsed.error.issues.map((i) => i.message).join('; ')}`, 'InvalidDecision');
    const refused = refusalOf(kind, deciding ?? status, policy, parsed.data);
    if (refused) throw wf.ApplicationFailure.nonRetryable(refused.message, refused.type);
    return { request: parsed.data };
  };
  const decide = (kind: DecisionKind) => async (raw: DecisionRequest): Promise<ApprovalOutcome> => {
    const { request } = refusal(kind, raw);
    const decided: ApprovalStatus = kind === 'approve' ? 'approved' : 'rejected';
    deciding = decided;
    await wf.condition(() => opened);
    const decidedAt = new Date().toISOString();
    await steps.recordApprovalDecision({ id, kind: gate.kind, subjectId: gate.subjectId, status: decided, decidedBy: request.by, decidedAt, reason: request.reason, via: request.via });
    status = decided;
    outcome = { status, decidedBy: request.by, decidedAt, reason: request.reason };
    wf.upsertSearchAttributes([{ key: ApprovalStatusKey, value: status }]);
    return outcome;
  };
  for (const [update, kind] of [[approveUpdate, 'approve'], [rejectUpdate, 'reject']] as const) {
    wf.setHandler(update, decide(kind), { validator: (raw) => void refusal(kind, raw), description: `${kind} the request to ${gate.summary}` });
  }

  const requestedAt = new Date();
  const expiresAt = new Date(requestedAt.getTime() + gate.approval.timeoutSeconds * 1000);
  // Visible before the request is recorded: whoever sees `awaiting_approval` finds the search attribute and details too.
  wf.upsertSearchAttributes([{ key: ApprovalStatusKey, value: 'pending' }]);
  const command = gate.renderedCommand === null ? '' : `\n\n\`\`\`\n${gate.renderedCommand}\n\`\`\``;
  wf.setCurrentDetails(`**Awaiting approval** to ${gate.summary}${gate.requestedBy ? `, requested by ${gate.requestedBy}` : ''}; expires ${expiresAt.toISOString()}${command}`);
  await steps.openApproval({
    id,
    kind: gate.kind,
    subjectId: gate.subjectId,
    workflowId: wf.workflowInfo().workflowId,
    requestedBy: gate.requestedBy,
    approvers: gate.approval.approvers,
    renderedCommand: gate.renderedCommand,
    summary: gate.summary,
    timeoutSeconds: gate.approval.timeoutSeconds,
    requestedAt: requestedAt.toISOString(),
    expiresAt: expiresAt.toISOString(),
  });
  opened = true;

  const inSlack = gate.slackChannels.length > 0;
  const posted = inSlack ? slack.postApprovalRequestToSlack({ approvalId: id }).catch(rethrowCancellation) : Promise.resolve();
  let answered: boolean;
  try {
    answered = await wf.condition(() => deciding !== undefined, gate.approval.timeoutSeconds * 1000);
  } catch (err) {
    // Cancelled while waiting: the Slack messages lose their buttons and say so, then the run ends cancelled.
    if (inSlack && wf.isCancellation(err)) {
      await wf.CancellationScope.nonCancellable(() => posted.then(() => slack.showApprovalDecisionInSlack({ approvalId: id, cancelled: true })).catch(() => undefined));
    }
    throw err;
  }
  if (!answered && deciding === undefined) {
    status = deciding = 'expired';
    const decidedAt = new Date().toISOString();
    await steps.recordApprovalDecision({ id, kind: gate.kind, subjectId: gate.subjectId, status, decidedBy: null, decidedAt, reason: null, via: 'timer' });
    outcome = { status, decidedBy: null, decidedAt, reason: null };
    wf.upsertSearchAttributes([{ key: ApprovalStatusKey, value: status }]);
  } else {
    await wf.condition(() => outcome !== undefined);
  }
  const final = outcome as ApprovalOutcome;
  wf.setCurrentDetails(`${describeDecision(final)}: ${gate.summary}${command}`);
  await posted;
  if (inSlack) await slack.showApprovalDecisionInSlack({ approvalId: id }).catch(rethrowCancellation);
  return final;
}

/** "Approved by alice@example.com at 2026-…", "Expired at …" */
export function describeDecision(outcome: ApprovalOutcome): string {
  if (outcome.status === 'expired') return `Approval expired at ${outcome.decidedAt} (no answer)`;
  const verb = outcome.status === 'approved' ? 'Approved' : 'Rejected';
  return `${verb} by ${outcome.decidedBy} at ${outcome.decidedAt}${outcome.reason ? ` (${outcome.reason})` : ''}`;
}

function rethrowCancellation(err: unknown): void {
  if (wf.isCancellation(err)) throw err;
}

/** Failure types of a workflow whose request was not approved (a Nexus caller catches them by type). */
export const APPROVAL_REJECTED = 'ApprovalRejected';
export const APPROVAL_EXPIRED = 'ApprovalExpired';

/** The gate, for a workflow that must not go on unless approved: anything else ends it with a failure of its own type. */
export async function requireApproval(gate: ApprovalGateOptions): Promise<ApprovalOutcome> {
  const outcome = await approvalGate(gate);
  if (outcome.status === 'approved') return outcome;
  const rejected = outcome.status === 'rejected';
  const not = gate.kind === 'rollback' ? 'not rolled back' : 'not run';
  const message = rejected
    ? `${not}: rejected by ${outcome.decidedBy}${outcome.reason ? ` (${outcome.reason})` : ''}`
    : `${not}: the approval request expired after ${gate.approval.timeoutSeconds} s without an answer`;
  throw wf.ApplicationFailure.nonRetryable(message, rejected ? APPROVAL_REJECTED : APPROVAL_EXPIRED);
}

/** `rejected` / `expired` when `err` is the failure {@link requireApproval} throws. */
export function notApprovedStatusOf(err: unknown): 'rejected' | 'expired' | undefined {
  if (!(err instanceof wf.ApplicationFailure)) return undefined;
  return err.type === APPROVAL_REJECTED ? 'rejected' : err.type === APPROVAL_EXPIRED ? 'expired' : undefined;
}
