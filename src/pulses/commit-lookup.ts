import type { Client } from '@temporalio/client';
import { HerokuAppKey, IntegrationIdKey } from '../temporal/search-attributes';
import { enrichPulseWorkflowId, type EnrichHerokuPulse, type EnrichHerokuPulseInput } from '../workflows/enrich-pulse';

/** How long a webhook request waits for Temporal before answering 503 (Heroku retries). */
const START_DEADLINE_MS = 5_000;

/**
 * Makes sure the commit lookup of a pulse is durably queued: starts EnrichHerokuPulse, or joins
 * the one already running (same workflow id), so every redelivery may call it again safely.
 */
export async function ensureCommitLookup(temporal: Client, taskQueue: string, input: EnrichHerokuPulseInput): Promise<void> {
  await temporal.connection.withDeadline(Date.now() + START_DEADLINE_MS, () =>
    temporal.workflow.start<typeof EnrichHerokuPulse>('EnrichHerokuPulse', {
      taskQueue,
      workflowId: enrichPulseWorkflowId(input.pulseId),
      args: [input],
      workflowIdConflictPolicy: 'USE_EXISTING',
      typedSearchAttributes: [
        { key: HerokuAppKey, value: input.appName },
        { key: IntegrationIdKey, value: input.integrationId },
      ],
    }),
  );
}
