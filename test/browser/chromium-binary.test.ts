import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'mocha';
import { locateChromium, NoChromiumError, PROVISIONED_CHROMIUM } from './support/chromium-binary';

/** Where the browser tests' Chromium comes from, in the documented order; nothing is downloaded here. */
describe('finding a browser for the console tests', () => {
  let root: string;
  const executable = async (file: string) => {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, '#!/bin/sh\n');
    await chmod(file, 0o755);
    return file;
  };
  const noProvision = () => Promise.reject(new Error('registry unreachable'));
  before(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'dynopulse-chromium-locate-'));
  });
  after(() => rm(root, { recursive: true, force: true }));

  it('CHROMIUM_PATH first; a wrong one is an error that says how to provide a browser', async () => {
    const chosen = await executable(path.join(root, 'explicit', 'my-chrome'));
    const onPath = await executable(path.join(root, 'path1', 'chromium'));
    const env = { CHROMIUM_PATH: chosen, PATH: path.dirname(onPath), HOME: root };
    assert.equal((await locateChromium({ toolsDir: path.join(root, 'tools'), env, provision: noProvision })).executablePath, chosen);
    await assert.rejects(locateChromium({ toolsDir: path.join(root, 'tools'), env: { ...env, CHROMIUM_PATH: path.join(root, 'missing') }, provision: noProvision }), (err: unknown) => {
      assert.ok(err instanceof NoChromiumError);
      assert.match(err.message, /CHROMIUM_PATH=.*missing is not an executable file/);
      assert.match(err.message, /apt-get install chromium/);
      return true;
    });
  });

  it('then a Chromium or Chrome on PATH, then Playwright’s cache, then .tools', async () => {
    const home = path.join(root, 'home');
    const tools = path.join(root, 'tools-order');
    const chrome = await executable(path.join(root, 'path2', 'google-chrome'));
    assert.equal((await locateChromium({ toolsDir: tools, env: { PATH: `/nonexistent:${path.dirname(chrome)}`, HOME: home }, provision: noProvision })).executablePath, chrome);

    const shell = await executable(path.join(home, '.cache', 'ms-playwright', 'chromium_headless_shell-1200', 'chrome-linux', 'headless_shell'));
    const found = await locateChromium({ toolsDir: tools, env: { PATH: '/nonexistent', HOME: home }, provision: noProvision });
    assert.deepEqual([found.executablePath, found.source], [shell, 'Playwright cache']);

    const provisioned = await executable(path.join(tools, `chromium-${PROVISIONED_CHROMIUM.version}`, 'chromium'));
    const fromTools = await locateChromium({ toolsDir: tools, env: { PATH: '/nonexistent', HOME: path.join(root, 'empty-home') }, provision: noProvision });
    assert.equal(fromTools.executablePath, provisioned);
    assert.equal(fromTools.env.LD_LIBRARY_PATH, path.join(tools, `chromium-${PROVISIONED_CHROMIUM.version}`, 'al2023', 'lib'), 'its own NSS libraries');
  });

  it('otherwise provisions one; when that fails, one message with the reason and the ways to provide a browser', async () => {
    const env = { PATH: '/nonexistent', HOME: path.join(root, 'nobody') };
    let provisionedInto: string | undefined;
    const fake = { executablePath: '/x/chromium', env: {}, source: '.tools' };
    await locateChromium({ toolsDir: path.join(root, 'fresh-tools'), env, provision: (dir) => ((provisionedInto = dir), Promise.resolve(fake)) });
    assert.equal(provisionedInto, path.join(root, 'fresh-tools'));
    await assert.rejects(locateChromium({ toolsDir: path.join(root, 'fresh-tools'), env, provision: noProvision }), (err: unknown) => {
      assert.ok(err instanceof NoChromiumError);
      assert.match(err.message, /downloading @sparticuz\/chromium@[\d.]+ from the npm registry failed \(registry unreachable\)/);
      assert.match(err.message, /CHROMIUM_PATH/);
      return true;
    });
  });
});
