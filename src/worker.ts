import { Worker, type NativeConnection, type WorkflowBundle } from '@temporalio/worker';
import { createActivities } from './activities';
import type { ActivityDeps } from './activities/deps';
import { createDataConverter } from './temporal/data-converter';

export interface WorkerOptions {
  connection: NativeConnection;
  deps: ActivityDeps;
  /** A prebuilt bundle (tests build it once); otherwise the workflows are bundled at start. */
  workflowBundle?: WorkflowBundle;
  /** How long running activities get to finish or heartbeat-cancel after shutdown is requested. */
  shutdownGraceTime?: string;
}

/** The Temporal worker: every workflow and activity on the configured task queue. */
export async function createWorker(options: WorkerOptions): Promise<Worker> {
  const { config, encryptionKey } = { config: options.deps.config, encryptionKey: options.deps.config.encryptionKey };
  if (!encryptionKey) throw new Error('createWorker needs config.encryptionKey');
  return Worker.create({
    connection: options.connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath: require.resolve('./workflows') }),
    activities: createActivities(options.deps),
    dataConverter: createDataConverter(encryptionKey, config.previousEncryptionKeys),
    shutdownGraceTime: options.shutdownGraceTime ?? '20s',
    // Heartbeats reach the server every few seconds (not 0.8 x the heartbeat timeout), so the
    // progress of a streaming run is fresh and a dead worker is noticed quickly.
    maxHeartbeatThrottleInterval: '3s',
  });
}
