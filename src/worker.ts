import { Worker, type NativeConnection, type WorkflowBundle } from '@temporalio/worker';
import { createActivities } from './activities';
import type { ActivityDeps } from './activities/deps';
import { activityLogContext } from './temporal/activity-log-context';
import { tracingWorkerPlugins } from './telemetry/tracing';
import { createDataConverter } from './temporal/data-converter';
import { workerDeploymentOptions } from './temporal/worker-versioning';

export interface WorkerOptions {
  connection: NativeConnection;
  deps: ActivityDeps;
  /** A prebuilt bundle (tests build it once); otherwise the workflows are bundled at start. */
  workflowBundle?: WorkflowBundle;
  /**
   * How long running activities get to finish after shutdown is requested; then they are
   * cancelled (reason WORKER_SHUTDOWN) and their attempt fails retryably. Default:
   * SHUTDOWN_GRACE_SECONDS.
   */
  shutdownGraceTime?: string;
}

/** The Temporal worker: every workflow and activity on the configured task queue. */
export async function createWorker(options: WorkerOptions): Promise<Worker> {
  const { config } = options.deps;
  const encryptionKey = config.encryptionKey;
  if (!encryptionKey) throw new Error('createWorker needs config.encryptionKey');
  const grace = options.shutdownGraceTime ?? `${config.shutdownGraceSeconds}s`;
  return Worker.create({
    connection: options.connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath: require.resolve('./workflows') }),
    activities: createActivities(options.deps),
    interceptors: { activity: [activityLogContext] },
    plugins: tracingWorkerPlugins(),
    dataConverter: createDataConverter(encryptionKey, config.previousEncryptionKeys),
    shutdownGraceTime: grace,
    ...versioned(config),
    // Heartbeats reach the server every few seconds (not 0.8 x the heartbeat timeout), so the
    // progress of a streaming run is fresh and a dead worker is noticed quickly.
    maxHeartbeatThrottleInterval: '3s',
  });
}

function versioned(config: WorkerOptions['deps']['config']) {
  const workerDeployment = workerDeploymentOptions(config);
  return workerDeployment ? { workerDeploymentOptions: workerDeployment } : {};
}
