import type { ActivityDeps } from '../deps';
import { heartbeating } from '../integration-support';
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
    // Heartbeats let the workflow's heartbeat timeout notice a worker that died mid-post.
    postRunOutputToSlack: withHeartbeats(slackActivity(deps)),
    postRunToTimeline: timelineActivity(deps),
    finishCommandRun: finishActivity(deps),
  };
}

function withHeartbeats<A, R>(activity: (args: A) => Promise<R>): (args: A) => Promise<R> {
  return (args) => heartbeating(() => activity(args));
}
