import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'mocha';
import { projectRoot } from '../../src/paths';
import { startSandbox, type SandboxProcess } from '../browser/support/sandbox-process';

/** `npm run example:incident` against `npm run sandbox`, as the README tells a caller's team to try it. */
describe('npm run example:incident, against the sandbox', function () {
  this.timeout(180_000);
  let sandbox: SandboxProcess;
  before(async () => {
    sandbox = await startSandbox();
  });
  after(() => sandbox?.stop());

  const example = (args: string[]) =>
    new Promise<{ code: number; output: string }>((resolve) => {
      execFile(process.execPath, [path.join(projectRoot, 'dist', 'examples', 'incident', 'run.js'), ...args], { env: { ...process.env, DYNOPULSE_DATA_DIR: sandbox.dataDir } }, (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, output: stdout + stderr }),
      );
    });

  it('the sandbox announces the Nexus endpoint and the callers’ namespace', () => {
    assert.match(sandbox.output(), /Nexus: +endpoint dynopulse → task queue heroku-integration-nexus; callers' namespace incident-callers/);
  });

  it('connects the simulated account, runs a command through Nexus, prints status, exit code and output size, exits 0', async () => {
    const { code, output } = await example([]);
    assert.equal(code, 0, output);
    assert.match(output, /status: +succeeded/);
    assert.match(output, /exit code: +0/);
    const size = Number(/output size: +(\d+) bytes/.exec(output)?.[1]);
    assert.ok(size > 0, output);
    assert.match(output, /diagnostics for|Running/);
  });

  it('a failing command: exit 1, and the failure says what happened', async () => {
    const { code, output } = await example(['echo broken; exit 4']);
    assert.equal(code, 1, output);
    assert.match(output, /status: +failed/);
    assert.match(output, /exit code: +4/);
    assert.match(output, /failure: +CommandFailed: .*exited with code 4/);
  });
});
