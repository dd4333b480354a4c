import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { chmod, mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import knex from 'knex';
import { describe, it } from 'mocha';
import { projectRoot } from '../../src/paths';
import { locateTemporalCli } from '../../src/temporal/cli-binary';
import { freePort } from '../../src/runtime/free-port';

const main = path.join(projectRoot, 'dist', 'src', 'main.js');
const execFileAsync = promisify(execFile);

/** Pids of processes whose command line mentions `needle` (to prove nothing is left behind). */
async function processesMentioning(needle: string): Promise<string[]> {
  const { stdout } = await execFileAsync('ps', ['-eo', 'pid=,args=']);
  return stdout.split('\n').filter((l) => l.includes(needle) && !l.includes('ps -eo'));
}

describe('the main process (npm start)', () => {
  it('refuses bad configuration with one clear line per problem and exit code 2', async () => {
    const child = spawn(process.execPath, [main], { env: { PATH: process.env.PATH, PORT: 'x', ENCRYPTION_KEY: 'short', TEMPORAL_ADDRESS: 'nope' } });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise((resolve) => child.once('exit', resolve));
    assert.equal(code, 2);
    const lines = stderr.trim().split('\n');
    assert.deepEqual(
      lines.map((l) => l.replace(/:.*$/, '')),
      lines.map(() => 'config error'),
      stderr,
    );
    assert.ok(lines.some((l) => l.startsWith('config error: PORT:')));
    assert.ok(lines.some((l) => l.startsWith('config error: ENCRYPTION_KEY:')));
    assert.ok(lines.some((l) => l.startsWith('config error: TEMPORAL_ADDRESS:')));
    assert.ok(!stderr.includes('    at '), 'no stack trace');
  });

  it('runs embedded PostgreSQL and a Temporal dev server with a Web UI, keeps data across restarts, and stops cleanly', async function () {
    this.timeout(180_000);
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'dynopulse-main-'));
    await chmod(dataDir, 0o755); // as root, PostgreSQL runs as the `postgres` user and must reach its data

    const [port, pgPort, temporalPort, uiPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
    const env = {
      ...process.env,
      DATABASE_URL: '',
      TEMPORAL_ADDRESS: '',
      ENCRYPTION_KEY: '',
      PORT: String(port),
      DYNOPULSE_DATA_DIR: dataDir,
      EMBEDDED_POSTGRES_PORT: String(pgPort),
      TEMPORAL_DEV_PORT: String(temporalPort),
      TEMPORAL_UI_PORT: String(uiPort),
      ADMIN_API_TOKEN: 'main-process-test-token-0123',
      LOG_LEVEL: 'warn',
    };

    const startOnce = async () => {
      const child = spawn(process.execPath, [main], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stdout += c.toString()));
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      const deadline = Date.now() + 120_000;
      while (!stdout.includes('Ctrl-C stops everything')) {
        if (child.exitCode !== null) assert.fail(`npm start exited early:\n${stdout}`);
        if (Date.now() > deadline) assert.fail(`not started in time:\n${stdout}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      return { child, exited, stdout: () => stdout };
    };

    const first = await startOnce();
    assert.match(first.stdout(), new RegExp(`API: +http://localhost:${port}`));
    assert.match(first.stdout(), new RegExp(`Temporal UI: http://localhost:${uiPort}/namespaces/default/workflows`));
    assert.equal((await fetch(`http://127.0.0.1:${port}/readyz`)).status, 200);
    assert.equal((await fetch(`http://127.0.0.1:${uiPort}/`)).status, 200);
    // Search attributes are registered on the embedded server.
    const { stdout: attrs } = await execFileAsync(await locateTemporalCli({ projectRoot }), ['operator', 'search-attribute', 'list', '--address', `127.0.0.1:${temporalPort}`]);
    for (const name of ['HerokuApp', 'IncidentId', 'IntegrationId', 'ApprovalStatus']) assert.match(attrs, new RegExp(`${name}\\s+Keyword`));
    // Write something to prove the second start keeps it.
    const embeddedDb = () => knex({ client: 'pg', connection: `postgres://postgres:postgres@127.0.0.1:${pgPort}/dynopulse` });
    const db1 = embeddedDb();
    await db1('services').insert({ id: 'svc-keep', org_id: 'org', name: 'kept' });
    await db1.destroy();

    first.child.kill('SIGTERM');
    assert.equal(await first.exited, 0);
    assert.deepEqual(await processesMentioning(dataDir), [], 'no temporal or postgres process survives');

    const second = await startOnce();
    const db2 = embeddedDb();
    const rows = await db2('services').where({ id: 'svc-keep' }).select('name');
    await db2.destroy();
    assert.deepEqual(rows, [{ name: 'kept' }]);
    second.child.kill('SIGINT');
    assert.equal(await second.exited, 0);
    assert.deepEqual(await processesMentioning(dataDir), []);
  });
});
