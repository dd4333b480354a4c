import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { Client, WorkflowNotFoundError } from '@temporalio/client';
import { bundleWorkflowCode, Worker, type WorkflowBundle } from '@temporalio/worker';
import { createNexusWorker } from '../../src/nexus/worker';
import { nexusTaskQueue } from '../../src/nexus/task-queue';
import { projectRoot } from '../../src/paths';
import { locateTemporalCli } from '../../src/temporal/cli-binary';
import { waitFor } from '../command-runs/support';
import type { Stack } from '../support/stack';

const execFileAsync = promisify(execFile);
export const CALLER_NAMESPACE = 'incident-callers';

/** An incident team's side: a namespace of its own, a worker there running test/nexus/caller-workflows.ts, a client. */
export interface Callers {
  endpoint: string;
  taskQueue: string;
  bundle: WorkflowBundle;
  client: Client;
  close(): Promise<void>;
}

/**
 * The setup of every Nexus test, on the real dev server: dynopulse's Nexus worker, an endpoint
 * created with the CLI, and a caller in a second namespace with its own worker and no key of ours.
 */
export async function startCallers(stack: Stack): Promise<Callers> {
  const h = stack.h;
  const cli = await locateTemporalCli({ projectRoot });
  const temporal = (...args: string[]) => execFileAsync(cli, [...args, '--address', h.temporalAddress]);
  await temporal('operator', 'namespace', 'describe', '--namespace', CALLER_NAMESPACE).catch(() => temporal('operator', 'namespace', 'create', '--namespace', CALLER_NAMESPACE));
  const endpoint = `dynopulse-${randomUUID().slice(0, 8)}`;
  await temporal('operator', 'nexus', 'endpoint', 'create', '--name', endpoint, '--target-namespace', h.namespace, '--target-task-queue', nexusTaskQueue(stack.config.temporal.taskQueue));

  const taskQueue = `incident-caller-${randomUUID()}`;
  const nexusWorker = await createNexusWorker({ connection: h.workerConnection, config: stack.config, db: h.db, workflowBundle: h.workflowBundle });
  const nexusRunning = nexusWorker.run();
  const bundle = await bundleWorkflowCode({ workflowsPath: require.resolve('./caller-workflows'), logger: quiet });
  // A namespace just created takes a moment to reach every service: the first polls may be refused.
  const callerWorker = (await waitFor('the caller namespace to accept a worker', () => Worker.create({ connection: h.workerConnection, namespace: CALLER_NAMESPACE, taskQueue, workflowBundle: bundle }).catch(() => undefined), (w) => w !== undefined)) as Worker;
  const callerRunning = callerWorker.run();
  const client = new Client({ connection: h.temporal.connection, namespace: CALLER_NAMESPACE });
  // And a moment more until every frontend knows it: an unknown workflow is then "not found", not its namespace.
  await waitFor('the caller namespace to be known', () => client.workflow.getHandle('no-such-workflow').describe().then(() => 'found', (err: unknown) => (err instanceof WorkflowNotFoundError ? 'ready' : String(err))), (state) => state === 'ready');

  return {
    endpoint,
    taskQueue,
    bundle,
    client,
    async close() {
      callerWorker.shutdown();
      nexusWorker.shutdown();
      await Promise.all([callerRunning, nexusRunning]);
    },
  };
}

const quiet = { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
