import type { WebClient } from '@slack/web-api';
import { createSlackClient } from '../../slack/client';
import type { ActivityDeps } from '../deps';
import { finishMessagesActivity } from './finish-messages';
import { followOutputActivity } from './follow-output';
import { startMessagesActivity } from './start-messages';

/** Live output in Slack (`slackLiveOutput`): the message when the command starts, its updates, its end. */
export function createLiveOutputActivities(deps: ActivityDeps) {
  let client: WebClient | undefined;
  const slack = () => (client ??= createSlackClient(deps.config.slack, deps.logger));
  return {
    startLiveSlackMessages: startMessagesActivity(deps, slack),
    followOutputInSlack: followOutputActivity(deps, slack),
    finishLiveSlackMessages: finishMessagesActivity(deps, slack),
  };
}
