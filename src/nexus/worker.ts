import { Worker, type NativeConnection, type WorkflowBundle } from '@temporalio/worker';
import type { Config } from '../config';
import type { Db } from '../db/knex';
import { createBoundaryDataConverter } from './boundary-converter';
import { dynopulseServiceHandler } from './handlers';
import { tracingWorkerPlugins } from '../telemetry/tracing';
import { workerDeploymentOptions } from '../temporal/worker-versioning';
import { nexusTaskQueue } from './task-queue';

/**
 * The worker of the Nexus boundary: the dynopulse service's handlers and their wrapper workflows
 * on `<TEMPORAL_TASK_QUEUE>-nexus`, beside the main worker in the same process. It runs no
 * activity: the runs themselves happen on the main task queue. `changesBefore` reads PostgreSQL
 * (`db`) in its handler.
 */
export function createNexusWorker(options: { connection: NativeConnection; config: Config; db: Db; workflowBundle?: WorkflowBundle; shutdownGraceTime?: string }): Promise<Worker> {
  const { config } = options;
  if (!config.encryptionKey) throw new Error('createNexusWorker needs config.encryptionKey');
  return Worker.create({
    connection: options.connection,
    namespace: config.temporal.namespace,
    taskQueue: nexusTaskQueue(config.temporal.taskQueue),
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath: require.resolve('../workflows') }),
    nexusServices: [dynopulseServiceHandler({ runTaskQueue: config.temporal.taskQueue, db: options.db })],
    plugins: tracingWorkerPlugins(),
    dataConverter: createBoundaryDataConverter(config.encryptionKey, config.previousEncryptionKeys),
    shutdownGraceTime: options.shutdownGraceTime ?? `${config.shutdownGraceSeconds}s`,
    ...(workerDeploymentOptions(config) ? { workerDeploymentOptions: workerDeploymentOptions(config) } : {}),
  });
}
