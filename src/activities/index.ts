import { createCommandRunActivities } from './command-run';
import type { ActivityDeps } from './deps';

/**
 * Every activity of the worker, bound to its dependencies (the samples-typescript
 * dependency-injection shape). Workflows import this module as a type only.
 */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createCommandRunActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
