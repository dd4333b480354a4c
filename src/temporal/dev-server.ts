import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { clientConnectionOptions, devServerConnectionSettings } from './connection-config';
import { searchAttributeKeys } from './search-attributes';

export interface DevServer {
  address: string;
  uiUrl: string | undefined;
  pid: number;
  stop(): Promise<void>;
}

export interface DevServerOptions {
  binary: string;
  port: number;
  /** Web UI port; undefined runs headless (tests). */
  uiPort?: number;
  /** SQLite file; undefined keeps everything in memory (tests). */
  dbFile?: string;
  namespace?: string;
  /** Remote codec endpoint the Web UI offers for decoding payloads. */
  uiCodecEndpoint?: string;
  readyTimeoutMs?: number;
}

/**
 * Starts `temporal server start-dev` with our search attributes registered, and resolves once the
 * frontend answers. The child is killed by stop(); the caller owns calling it.
 */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(options.port), '--log-level', 'error'];
  if (options.namespace && options.namespace !== 'default') args.push('--namespace', options.namespace);
  if (options.dbFile) {
    await mkdir(path.dirname(options.dbFile), { recursive: true });
    args.push('--db-filename', options.dbFile);
  }
  if (options.uiPort !== undefined) {
    args.push('--ui-port', String(options.uiPort), '--ui-ip', '127.0.0.1');
    if (options.uiCodecEndpoint) args.push('--ui-codec-endpoint', options.uiCodecEndpoint);
  } else {
    args.push('--headless');
  }
  for (const key of searchAttributeKeys) args.push('--search-attribute', `${key.name}=Keyword`);

  const child = spawn(options.binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4000);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  // A process that exits without stop() (process.exit, a crashed bench) must not leave the server running.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  void exited.then(() => process.off('exit', killOnExit));
  const address = `127.0.0.1:${options.port}`;

  try {
    await waitUntilReady(address, exited, options.readyTimeoutMs ?? 60_000);
  } catch (err) {
    await killChild(child, exited);
    throw new Error(`Temporal dev server did not start on ${address}: ${(err as Error).message}${stderr ? `\n${stderr.trim()}` : ''}`, { cause: err });
  }
  return {
    address,
    uiUrl: options.uiPort !== undefined ? `http://localhost:${options.uiPort}` : undefined,
    pid: child.pid ?? -1,
    stop: () => killChild(child, exited),
  };
}

async function waitUntilReady(address: string, exited: Promise<number | null>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));
  for (;;) {
    if (exitCode !== undefined) throw new Error(`the server exited with code ${exitCode}`);
    try {
      const connection = await Connection.connect({ ...clientConnectionOptions(devServerConnectionSettings(address, 'default')), connectTimeout: 1_000 });
      try {
        await connection.workflowService.getSystemInfo({});
        return;
      } finally {
        await connection.close();
      }
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

async function killChild(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
