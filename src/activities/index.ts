import { createApprovalActivities } from './approval';
import { createCommandRunActivities } from './command-run';
import type { ActivityDeps } from './deps';
import { createPulseActivities } from './pulses';
import { createIntegrationActivities } from './integration';
import { createLiveOutputActivities } from './live-output';
import { createRollbackActivities } from './rollback';

/**
 * Every activity of the worker, bound to its dependencies (the samples-typescript
 * dependency-injection shape). Workflows import this module as a type only.
 */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createPulseActivities(deps),
    ...createIntegrationActivities(deps),
    ...createCommandRunActivities(deps),
    ...createLiveOutputActivities(deps),
    ...createApprovalActivities(deps),
    ...createRollbackActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
