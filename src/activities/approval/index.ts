import type { WebClient } from '@slack/web-api';
import { openApproval, recordDecision, type OpenApproval, type RecordedDecision } from '../../approval/approval-store';
import { createSlackClient } from '../../slack/client';
import type { ActivityDeps } from '../deps';
import { approvalSlackActivities } from './slack-messages';

/** The approval gate's side effects (src/workflows/approval-gate.ts): its record, and its Slack messages. */
export function createApprovalActivities(deps: ActivityDeps) {
  let client: WebClient | undefined;
  const slack = () => (client ??= createSlackClient(deps.config.slack, deps.logger));
  return {
    async openApproval(open: OpenApproval): Promise<void> {
      await openApproval(deps.db, open);
    },
    async recordApprovalDecision(decision: RecordedDecision): Promise<void> {
      await recordDecision(deps.db, decision);
      deps.logger.info({ approvalId: decision.id, status: decision.status, decidedBy: decision.decidedBy, via: decision.via }, 'approval decided');
    },
    ...approvalSlackActivities(deps, slack),
  };
}
