import type { ActivityDeps } from '../deps';
import { dynoActivities } from './dyno';
import { finishActivity } from './finish';
import { prepareActivity } from './prepare';
import { slackActivity } from './slack-post';
import { streamActivity } from './stream';
import { timelineActivity } from './timeline';

/** The activities of RunCommandOnHeroku (src/workflows/run-command.ts). */
export function createCommandRunActivities(deps: ActivityDeps) {
  return {
    prepareCommandRun: prepareActivity(deps),
    ...dynoActivities(deps),
    streamRunOutput: streamActivity(deps),
    postRunOutputToSlack: slackActivity(deps),
    postRunToTimeline: timelineActivity(deps),
    finishCommandRun: finishActivity(deps),
  };
}

