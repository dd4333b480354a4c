import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { Client, WorkflowNotFoundError } from '@temporalio/client';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { createNexusWorker } from '../src/nexus/worker';
import { nexusTaskQueue } from '../src/nexus/task-queue';
import { projectRoot } from '../src/paths';
import { locateTemporalCli } from '../src/temporal/cli-binary';
import { startRunStack, waitFor } from '../test/command-runs/support';
import type { CallerOutcome } from '../test/nexus/caller-workflows';
import type { BenchResult } from './run';

export const name = 'nexus: a command run started through the Nexus endpoint vs a direct workflow start';

const ROUNDS = 12;
const CALLER_NAMESPACE = 'incident-callers';

const quantile = (values: number[], q: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
};
const round1 = (ms: number) => Math.round(ms * 10) / 10;

/**
 * The same short command (`echo`), end to end (start → result in the starter's hands), alternating:
 * a Temporal client starting RunCommandOnHeroku in dynopulse's namespace, and a caller workflow in
 * a second namespace calling the `runCommand` operation through a Nexus endpoint (its start
 * included). Same server, stack and simulated Heroku; the first round of each is a warm-up.
 */
export async function run(): Promise<BenchResult> {
  const { stack, integration } = await startRunStack();
  const h = stack.h;
  const cli = await locateTemporalCli({ projectRoot });
  const temporal = (...args: string[]) => promisify(execFile)(cli, [...args, '--address', h.temporalAddress]);
  await temporal('operator', 'namespace', 'describe', '--namespace', CALLER_NAMESPACE).catch(() => temporal('operator', 'namespace', 'create', '--namespace', CALLER_NAMESPACE));
  const endpoint = `dynopulse-bench-${randomUUID().slice(0, 8)}`;
  await temporal('operator', 'nexus', 'endpoint', 'create', '--name', endpoint, '--target-namespace', h.namespace, '--target-task-queue', nexusTaskQueue(stack.config.temporal.taskQueue));

  const nexusWorker = await createNexusWorker({ connection: h.workerConnection, config: stack.config, db: h.db, workflowBundle: h.workflowBundle });
  const nexusRunning = nexusWorker.run();
  const callerTaskQueue = `bench-caller-${randomUUID()}`;
  const callerBundle = await bundleWorkflowCode({ workflowsPath: require.resolve('../test/nexus/caller-workflows'), logger: quiet });
  const callerWorker = (await waitFor(
    'the caller namespace to accept a worker',
    () => Worker.create({ connection: h.workerConnection, namespace: CALLER_NAMESPACE, taskQueue: callerTaskQueue, workflowBundle: callerBundle }).catch(() => undefined),
    (w) => w !== undefined,
  )) as Worker;
  const callerRunning = callerWorker.run();
  const caller = new Client({ connection: h.temporal.connection, namespace: CALLER_NAMESPACE });
  await waitFor('the caller namespace to be known', () => caller.workflow.getHandle('no-such-workflow').describe().then(() => 'found', (err: unknown) => (err instanceof WorkflowNotFoundError ? 'ready' : String(err))), (s) => s === 'ready');

  const request = { integrationId: integration.integrationId, appName: 'app-one', command: 'echo bench' };
  const direct: number[] = [];
  const viaNexus: number[] = [];
  try {
    for (let i = 0; i <= ROUNDS; i++) {
      let t0 = performance.now();
      const result = (await (await h.temporal.workflow.start('RunCommandOnHeroku', { taskQueue: stack.config.temporal.taskQueue, workflowId: `heroku-run-bench-${randomUUID()}`, args: [request] })).result()) as { exitCode: number | null };
      if (result.exitCode !== 0) throw new Error(`direct run exited ${String(result.exitCode)}`);
      if (i > 0) direct.push(performance.now() - t0);

      t0 = performance.now();
      const outcome = (await (await caller.workflow.start('IncidentRunsCommand', { taskQueue: callerTaskQueue, workflowId: `incident-bench-${randomUUID()}`, args: [endpoint, request] })).result()) as CallerOutcome;
      if (outcome.outcome !== 'succeeded' || outcome.exitCode !== 0) throw new Error(`Nexus run did not succeed: ${JSON.stringify(outcome)}`);
      if (i > 0) viaNexus.push(performance.now() - t0);
    }
  } finally {
    callerWorker.shutdown();
    nexusWorker.shutdown();
    await Promise.all([callerRunning, nexusRunning]);
    await stack.close();
  }
  const directMedian = quantile(direct, 0.5);
  const nexusMedian = quantile(viaNexus, 0.5);
  return {
    figures: {
      rounds: ROUNDS,
      directMedianMs: round1(directMedian),
      directP90Ms: round1(quantile(direct, 0.9)),
      nexusMedianMs: round1(nexusMedian),
      nexusP90Ms: round1(quantile(viaNexus, 0.9)),
      nexusOverheadMedianMs: round1(nexusMedian - directMedian),
      ratio: Math.round((nexusMedian / directMedian) * 100) / 100,
    },
    notes: ['Both include the dyno boot and output of the simulated Heroku; the Nexus figure also includes the caller workflow in its own namespace.'],
  };
}

const quiet = { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
