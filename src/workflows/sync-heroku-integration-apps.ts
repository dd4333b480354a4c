import * as wf from '@temporalio/workflow';
import type { IntegrationStatus } from '../integrations/model';
import { appsChangedSignal } from './integration-signals';
import { describeTally, shortActivities, isReconnectNeeded, reasonOf, reconcileApps, tagWithIntegration, withLifecycleLease, type ReconcileTally } from './integration-lifecycle';

export interface SyncHerokuIntegrationAppsInput {
  integrationId: string;
}

export interface SyncHerokuIntegrationAppsResult {
  status: IntegrationStatus;
  passes: number;
  tally: ReconcileTally | null;
}

/** Passes after which a busy sync continues as new, keeping its history small. */
const PASSES_PER_RUN = 20;

/**
 * Brings the webhooks in line with the watched app list (PUT .../apps): created on added apps,
 * deleted from removed ones. Changes arriving while it runs are folded into one more pass, so
 * there is only ever one sync per integration (workflow id `heroku-sync-<integrationId>`).
 */
export async function SyncHerokuIntegrationApps(input: SyncHerokuIntegrationAppsInput): Promise<SyncHerokuIntegrationAppsResult> {
  const { integrationId } = input;
  let changed = true;
  wf.setHandler(appsChangedSignal, () => {
    changed = true;
  });
  tagWithIntegration(integrationId);

  const result = await withLifecycleLease(integrationId, async (): Promise<SyncHerokuIntegrationAppsResult | 'continue'> => {
    let passes = 0;
    let tally: ReconcileTally | null = null;
    let status: IntegrationStatus = 'connected';
    while (changed) {
      if (passes >= PASSES_PER_RUN) return 'continue';
      changed = false;
      status = await shortActivities.integrationStatus({ integrationId });
      // Installing: the install syncs every app itself. Disconnecting/disconnected: nothing to keep.
      if (status !== 'connected' && status !== 'error') {
        wf.setCurrentDetails(`Nothing to sync: the integration is ${status}`);
        return { status, passes, tally };
      }
      try {
        tally = await reconcileApps(integrationId, passes === 0 ? 'Syncing webhooks' : `Syncing webhooks (pass ${passes + 1}: the list changed)`);
      } catch (err) {
        if (!isReconnectNeeded(err)) throw err;
        wf.setCurrentDetails(`Stopped: ${reasonOf(err)}`);
        throw wf.ApplicationFailure.nonRetryable(reasonOf(err), 'ReconnectNeeded');
      }
      passes++;
    }
    wf.setCurrentDetails(`Synced: ${tally ? describeTally(tally) : 'no apps'}`);
    return { status, passes, tally };
  });
  if (result === 'continue') return wf.continueAsNew<typeof SyncHerokuIntegrationApps>(input);
  return result;
}
