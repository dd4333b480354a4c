import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../../src/paths';
import type { WorkerProcess } from '../../support/stack';

/**
 * `node dist/src/main.js worker`: the real worker process, as deployed, with the scenario's
 * environment. Resolves once it polls (it prints "dynopulse is running"); its output goes to
 * `<logPrefix>.worker-<pid>.log`. kill() is SIGKILL: no shutdown hook, no drain, a lost host.
 */
export async function spawnWorkerProcess(env: NodeJS.ProcessEnv, logPrefix: string): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ['--enable-source-maps', path.join(projectRoot, 'dist', 'src', 'main.js'), 'worker'], {
    env: { ...process.env, ...env, NODE_EXTRA_CA_CERTS: path.join(projectRoot, 'test', 'fixtures', 'tls', 'ca.pem') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logFile = `${logPrefix}.worker-${child.pid}.log`;
  const log = createWriteStream(logFile);
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const onData = (chunk: Buffer) => {
      out = (out + chunk.toString('utf8')).slice(-2000);
      if (out.includes('dynopulse is running')) {
        child.stdout.off('data', onData);
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.once('exit', (code, signal) => reject(new Error(`worker process exited (${code ?? signal}) before it was ready; see ${logFile}`)));
  });
  const alive = () => child.exitCode === null && child.signalCode === null;
  return {
    child,
    async kill() {
      if (alive()) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (alive()) child.kill('SIGTERM');
      await exited;
    },
  };
}
