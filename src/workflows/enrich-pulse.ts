import { ActivityFailure, log, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';

export interface EnrichHerokuPulseInput {
  pulseId: string;
  integrationId: string;
  appName: string;
  releaseId: string;
  /** From the payload when it named the slug but not its commit. */
  slugId: string | null;
}

export interface EnrichHerokuPulseResult {
  commit: string | null;
}

/** Workflow id: one lookup per pulse, however many deliveries ask for it. */
export const enrichPulseWorkflowId = (pulseId: string) => `heroku-pulse-commit-${pulseId}`;

const { lookupReleaseCommit } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  // The Heroku client already retries 429/5xx briefly; these cover longer outages, within the hour.
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '10 minutes', maximumAttempts: 10 },
});
const { recordPulseCommit } = proxyActivities<Activities>({ startToCloseTimeout: '30 seconds' });

/**
 * A release pulse whose payload had no `slug.commit` gets it from the Platform API (the slug, found
 * through the release if needed: heroku.md §5.3). If Heroku cannot tell, the pulse keeps a null
 * commit; either way it stops being "pending".
 */
export async function EnrichHerokuPulse(input: EnrichHerokuPulseInput): Promise<EnrichHerokuPulseResult> {
  let commit: string | null = null;
  try {
    commit = await lookupReleaseCommit({ integrationId: input.integrationId, appName: input.appName, releaseId: input.releaseId, slugId: input.slugId });
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    log.warn('Could not look up the commit of the release; the pulse keeps no commit', { pulseId: input.pulseId, error: err.cause?.message });
  }
  await recordPulseCommit({ pulseId: input.pulseId, commit });
  return { commit };
}
