import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { projectRoot } from '../../../src/paths';
import { freePort } from '../../../src/runtime/free-port';

export interface SandboxProcess {
  consoleUrl: string;
  adminToken: string;
  temporalUiUrl: string;
  /** Its DYNOPULSE_DATA_DIR (where it writes the settings `npm run example:incident` reads). */
  dataDir: string;
  /** Everything the sandbox printed (stdout and stderr). */
  output(): string;
  stop(): Promise<void>;
}

/**
 * `npm run sandbox` as a newcomer runs it (`node dist/scripts/sandbox.js`, embedded PostgreSQL and
 * Temporal included), on free ports and a throw-away data directory. Resolves once it prints
 * its banner.
 */
export async function startSandbox(): Promise<SandboxProcess> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'dynopulse-sandbox-'));
  await chmod(dataDir, 0o755);
  const [port, pgPort, temporalPort, uiPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const adminToken = 'browser-test-admin-token-0123456789';
  const child = spawn(process.execPath, ['--enable-source-maps', path.join(projectRoot, 'dist', 'scripts', 'sandbox.js')], {
    cwd: projectRoot,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TEMPORAL_CLI_PATH: process.env.TEMPORAL_CLI_PATH,
      PORT: String(port),
      EMBEDDED_POSTGRES_PORT: String(pgPort),
      TEMPORAL_DEV_PORT: String(temporalPort),
      TEMPORAL_UI_PORT: String(uiPort),
      DYNOPULSE_DATA_DIR: path.join(dataDir, 'data'),
      ADMIN_API_TOKEN: adminToken,
      LOG_LEVEL: 'debug',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString('utf8')));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString('utf8')));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  await new Promise<void>((resolve, reject) => {
    const check = () => {
      if (output.includes('dynopulse sandbox is running') && output.includes('Ctrl-C')) resolve();
    };
    child.stdout?.on('data', check);
    child.once('exit', (code) => reject(new Error(`npm run sandbox exited (${code}) before it was ready:\n${output}`)));
  });
  const consoleUrl = /Console: +(\S+)/.exec(output)?.[1] ?? '';
  const temporalUiUrl = /Temporal UI: +(\S+)/.exec(output)?.[1] ?? '';
  return {
    consoleUrl,
    adminToken,
    temporalUiUrl,
    dataDir: path.join(dataDir, 'data'),
    output: () => output,
    stop: async () => {
      await stopChild(child, exited);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  await exited;
}
