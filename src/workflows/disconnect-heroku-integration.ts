import * as wf from '@temporalio/workflow';
import type { RevokeOutcome } from '../activities/integration-disconnect';
import { installWorkflowId, syncWorkflowId } from '../integrations/workflow-ids';
import { shortActivities, herokuActivities, isReconnectNeeded, reasonOf, reconcileApps, tagWithIntegration, withLifecycleLease, type ReconcileTally } from './integration-lifecycle';

export interface DisconnectHerokuIntegrationInput {
  integrationId: string;
}

export interface DisconnectHerokuIntegrationResult {
  status: 'disconnected';
  tally: ReconcileTally;
  authorization: RevokeOutcome;
  webhooksLeft: number;
}

/**
 * Disconnects: stops a running install or sync, deletes every webhook we created (also those of
 * apps removed earlier whose deletion failed), revokes the OAuth authorization, erases tokens and
 * webhook secrets, and ends `disconnected`. Running it again is harmless.
 */
export async function DisconnectHerokuIntegration(input: DisconnectHerokuIntegrationInput): Promise<DisconnectHerokuIntegrationResult> {
  const { integrationId } = input;
  tagWithIntegration(integrationId);
  wf.setCurrentDetails('Stopping install and app sync');
  await shortActivities.beginDisconnect({ integrationId });
  await Promise.all([installWorkflowId(integrationId), syncWorkflowId(integrationId)].map(cancelIfRunning));

  return withLifecycleLease(integrationId, async () => {
    let stoppedBy: string | null = null;
    let tally: ReconcileTally;
    try {
      tally = await reconcileApps(integrationId, 'Deleting webhooks');
    } catch (err) {
      if (!isReconnectNeeded(err)) throw err;
      // Heroku no longer accepts our tokens: the webhooks left can only be removed by hand.
      stoppedBy = reasonOf(err);
      tally = { apps: 0, active: 0, errors: 0, removed: 0, notRemoved: 0 };
    }
    wf.setCurrentDetails('Revoking the OAuth authorization');
    const authorization: RevokeOutcome =
      stoppedBy === null ? await herokuActivities('Revoke the OAuth authorization').revokeHerokuAuthorization({ integrationId }) : 'already_revoked';
    wf.setCurrentDetails('Erasing tokens and webhook secrets');
    const { webhooksLeft } = await shortActivities.finishDisconnect({ integrationId, notDeletedReason: stoppedBy, revoke: authorization });
    wf.setCurrentDetails(`Disconnected: our webhooks deleted from ${tally.removed} app(s), ${webhooksLeft} app(s) left with one; authorization ${authorization}`);
    return { status: 'disconnected' as const, tally, authorization, webhooksLeft };
  });
}

/** Requests cancellation of a lifecycle workflow; one that is not running needs nothing. */
async function cancelIfRunning(workflowId: string): Promise<void> {
  try {
    await wf.getExternalWorkflowHandle(workflowId).cancel();
  } catch {
    // Not found or already closed.
  }
}
