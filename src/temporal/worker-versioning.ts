import type { WorkerDeploymentOptions } from '@temporalio/worker';
import type { Config } from '../config';

/**
 * Worker Deployment Versioning (README "Upgrading workflow code safely"). With a deployment name
 * and build id, the worker polls as that version and the server routes each workflow by its
 * behavior: AUTO_UPGRADE by default (the integration lifecycle — install, app-list sync, which
 * continues as new for as long as the integration lives, disconnect, pulse enrichment — moves to
 * the current build at its next workflow task, so its code changes go behind patched()), and
 * PINNED where a workflow declares it (a command run or a rollback stays on the build that
 * started it until it ends). Unset: the worker runs unversioned, as before.
 */
export function workerDeploymentOptions(config: Config): WorkerDeploymentOptions | undefined {
  const deployment = config.temporal.deployment;
  if (!deployment) return undefined;
  return {
    version: { deploymentName: deployment.name, buildId: deployment.buildId },
    useWorkerVersioning: true,
    defaultVersioningBehavior: 'AUTO_UPGRADE',
  };
}
