import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { tracingClientInterceptors } from '../telemetry/tracing';
import { createDataConverter } from './data-converter';

export interface TemporalTarget {
  address: string;
  namespace: string;
}

/** A Temporal client with the project's data converter. */
export async function connectClient(target: TemporalTarget, encryptionKey: Buffer, previousKeys: Buffer[] = []): Promise<Client> {
  const connection = await Connection.connect({ address: target.address });
  return new Client({ connection, namespace: target.namespace, dataConverter: createDataConverter(encryptionKey, previousKeys), interceptors: tracingClientInterceptors() });
}

export async function connectWorkerConnection(target: TemporalTarget): Promise<NativeConnection> {
  return NativeConnection.connect({ address: target.address });
}

/** True when the Temporal frontend answers (readiness). */
export async function pingTemporal(client: Client): Promise<boolean> {
  try {
    await client.connection.workflowService.getSystemInfo({});
    return true;
  } catch {
    return false;
  }
}
