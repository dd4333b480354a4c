import * as wf from '@temporalio/workflow';
import type { IntegrationStatus } from '../integrations/model';
import {
  shortActivities,
  describeTally,
  herokuActivities,
  reasonOf,
  reconcileApps,
  tagWithIntegration,
  withLifecycleLease,
  type ReconcileTally,
} from './integration-lifecycle';

/** CONTRACT §4: started by the OAuth callback with the code Heroku sent back. */
export interface InstallHerokuIntegrationInput {
  integrationId: string;
  code: string;
}

export interface InstallHerokuIntegrationResult {
  status: IntegrationStatus;
  tally: ReconcileTally | null;
}

/**
 * Connects a Heroku account: exchange the OAuth code for tokens (stored sealed), record the
 * account, then give every listed app one webhook. Ends `connected`, or `error` with the reason;
 * a disconnect requested meanwhile cancels it (the disconnect then owns the status).
 */
export async function InstallHerokuIntegration(input: InstallHerokuIntegrationInput): Promise<InstallHerokuIntegrationResult> {
  const { integrationId } = input;
  tagWithIntegration(integrationId);
  return withLifecycleLease(integrationId, async () => {
    if (!(await shortActivities.beginInstall({ integrationId }))) {
      const status = await shortActivities.integrationStatus({ integrationId });
      wf.setCurrentDetails(`Nothing to install: the integration is ${status}`);
      return { status, tally: null };
    }
    try {
      wf.setCurrentDetails('Exchanging the OAuth code for tokens');
      await shortActivities.exchangeInstallCode({ integrationId, code: input.code });
      wf.setCurrentDetails('Reading the Heroku account');
      await herokuActivities('Read the Heroku account and authorization').recordHerokuAccount({ integrationId });
      const tally = await reconcileApps(integrationId, 'Creating webhooks');
      await shortActivities.finishInstall({ integrationId });
      const status = await shortActivities.integrationStatus({ integrationId });
      wf.setCurrentDetails(`Installed (${status}): ${describeTally(tally)}`);
      return { status, tally };
    } catch (err) {
      if (wf.isCancellation(err)) throw err;
      const reason = reasonOf(err);
      await wf.CancellationScope.nonCancellable(() => shortActivities.failInstall({ integrationId, reason }));
      wf.setCurrentDetails(`Install failed: ${reason}`);
      throw wf.ApplicationFailure.nonRetryable(`Install failed: ${reason}`, 'InstallFailed');
    }
  });
}
