import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { tracingClientInterceptors } from '../telemetry/tracing';
import { clientConnectionOptions, nativeConnectionOptions, type TemporalConnectionSettings } from './connection-config';
import { createDataConverter } from './data-converter';

/**
 * Where and how to connect: an address and namespace (plain text, e.g. the dev server), or the
 * whole settings from the environment configuration (TLS, API key, gRPC headers).
 */
export type TemporalTarget = Pick<TemporalConnectionSettings, 'address' | 'namespace'> & Partial<Omit<TemporalConnectionSettings, 'address' | 'namespace'>> & { address: string };

function settingsOf(target: TemporalTarget): TemporalConnectionSettings {
  return { tls: undefined, apiKey: undefined, metadata: undefined, ...target };
}

/** A Temporal client with the project's data converter. */
export async function connectClient(target: TemporalTarget, encryptionKey: Buffer, previousKeys: Buffer[] = []): Promise<Client> {
  const connection = await Connection.connect(clientConnectionOptions(settingsOf(target)));
  return new Client({ connection, namespace: target.namespace, dataConverter: createDataConverter(encryptionKey, previousKeys), interceptors: tracingClientInterceptors() });
}

export async function connectWorkerConnection(target: TemporalTarget): Promise<NativeConnection> {
  return NativeConnection.connect(nativeConnectionOptions(settingsOf(target)));
}

/** True when the Temporal frontend answers (readiness); a hung connection counts as down after 5 s. */
export async function pingTemporal(client: Client): Promise<boolean> {
  try {
    await client.connection.withDeadline(Date.now() + 5_000, () => client.connection.workflowService.getSystemInfo({}));
    return true;
  } catch {
    return false;
  }
}
