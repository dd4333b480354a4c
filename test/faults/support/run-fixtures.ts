import type { CompletedFile } from '../../simulators/slack/upload-store';
import { connectIntegration, type ConnectedIntegration } from '../../support/fixtures';
import type { FaultStack } from './fault-stack';

/** Slack channels of the run scenarios: two the bot is in, so "one post per channel" is checked on more than one. */
export const RUN_CHANNELS = [
  { id: 'C1', name: 'ops', isMember: true },
  { id: 'C3', name: 'oncall', isMember: true },
];

/** A connected integration owning `apps` on the scenario's simulated Heroku. */
export function connectRunIntegration(stack: FaultStack, apps: string[]): Promise<ConnectedIntegration> {
  return connectIntegration(stack, { apps: apps.map((name) => ({ name })) });
}

/** How many completed files were shared to each channel id (what a user scrolling the channel sees). */
export function postsPerChannel(files: readonly CompletedFile[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const f of files) for (const c of f.channels) counts[c] = (counts[c] ?? 0) + 1;
  return counts;
}
