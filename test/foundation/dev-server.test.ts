import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'mocha';
import { projectRoot } from '../../src/paths';
import { freePort } from '../../src/runtime/free-port';
import { locateTemporalCli } from '../../src/temporal/cli-binary';

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('the Temporal dev server we start', () => {
  it('does not outlive a process that exits without stopping it (process.exit after a failure)', async function () {
    this.timeout(120_000);
    const binary = await locateTemporalCli({ projectRoot });
    const script = `
      const { startDevServer } = require(${JSON.stringify(path.join(projectRoot, 'dist/src/temporal/dev-server.js'))});
      startDevServer({ binary: ${JSON.stringify(binary)}, port: ${await freePort()} }).then((server) => {
        console.log(server.pid);
        process.exit(1); // as a crashing script would: no stop()
      });`;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const code = await new Promise((resolve) => child.once('exit', resolve));
    assert.equal(code, 1);
    const pid = Number(stdout.trim());
    assert.ok(pid > 0, `the script printed the server's pid (${JSON.stringify(stdout)})`);
    const deadline = Date.now() + 10_000;
    while (isRunning(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.equal(isRunning(pid), false, `temporal server ${pid} is still running`);
  });
});
