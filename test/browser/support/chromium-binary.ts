import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { access, constants, mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { createBrotliDecompress } from 'node:zlib';

const execFileAsync = promisify(execFile);

/**
 * The npm package that carries a Chromium build (for AWS Lambda, so it needs no system libraries
 * beyond glibc: it brings NSS and friends in al2023.tar.br). Pinned with the registry's integrity,
 * checked again after download.
 */
export const PROVISIONED_CHROMIUM = {
  package: '@sparticuz/chromium',
  version: '153.0.0',
  integrity: 'sha512-jiGWqSvPMdu4+P9TilYqAR7yEGPEHINx+lCvE/NqNO/EHYzF/x1hUiI5T6ioVIt7dEy7n88byyT0vk+dnsgQwA==',
};

export interface ChromiumBinary {
  executablePath: string;
  /** Extra environment the binary needs (the provisioned build's own libraries). */
  env: Record<string, string>;
  /** Where it was found, for the log: "CHROMIUM_PATH", "PATH", "Playwright cache", ".tools". */
  source: string;
}

export class NoChromiumError extends Error {
  override name = 'NoChromiumError';
}

const NAMES_ON_PATH = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable', 'chrome'];

async function isExecutable(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The browser for the console tests, the way the Temporal CLI is found (src/temporal/cli-binary.ts):
 * CHROMIUM_PATH; a Chromium or Chrome on PATH; Playwright's browser cache; the project's `.tools/`;
 * otherwise provisioned once into `.tools/` from the npm registry, which a fresh machine reaches.
 */
export async function locateChromium(options: {
  toolsDir: string;
  env?: NodeJS.ProcessEnv;
  provision?: (toolsDir: string) => Promise<ChromiumBinary>;
}): Promise<ChromiumBinary> {
  const env = options.env ?? process.env;
  const explicit = env.CHROMIUM_PATH?.trim();
  if (explicit) {
    if (await isExecutable(explicit)) return { executablePath: explicit, env: {}, source: 'CHROMIUM_PATH' };
    throw new NoChromiumError(`CHROMIUM_PATH=${explicit} is not an executable file. ${HOW_TO_PROVIDE}`);
  }
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    for (const name of NAMES_ON_PATH) {
      const candidate = path.join(dir, name);
      if (await isExecutable(candidate)) return { executablePath: candidate, env: {}, source: 'PATH' };
    }
  }
  const fromPlaywright = await inPlaywrightCache(env);
  if (fromPlaywright) return { executablePath: fromPlaywright, env: {}, source: 'Playwright cache' };
  const installed = provisionedLayout(options.toolsDir);
  if (await isExecutable(installed.executablePath)) return installed;
  try {
    return await (options.provision ?? provisionChromium)(options.toolsDir);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new NoChromiumError(`No Chromium for the browser tests, and downloading ${PROVISIONED_CHROMIUM.package}@${PROVISIONED_CHROMIUM.version} from the npm registry failed (${reason}). ${HOW_TO_PROVIDE}`);
  }
}

const HOW_TO_PROVIDE =
  'Provide a browser in one of these ways: set CHROMIUM_PATH to a Chromium or Chrome binary; put `chromium` on PATH ' +
  '(Debian/Ubuntu: apt-get install chromium); or `npx playwright install chromium`.';

/** Playwright's cache (PLAYWRIGHT_BROWSERS_PATH or ~/.cache/ms-playwright): its newest Chromium or headless shell. */
async function inPlaywrightCache(env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const root = env.PLAYWRIGHT_BROWSERS_PATH?.trim() || path.join(env.HOME || os.homedir(), '.cache', 'ms-playwright');
  const entries = (await readdir(root).catch(() => [] as string[])).sort().reverse();
  for (const entry of entries) {
    const candidates = entry.startsWith('chromium_headless_shell-')
      ? ['chrome-linux/headless_shell', 'chrome-headless-shell-linux64/chrome-headless-shell']
      : entry.startsWith('chromium-')
        ? ['chrome-linux/chrome', 'chrome-linux64/chrome']
        : [];
    for (const relative of candidates) {
      const candidate = path.join(root, entry, relative);
      if (await isExecutable(candidate)) return candidate;
    }
  }
  return undefined;
}

function provisionedLayout(toolsDir: string): ChromiumBinary {
  const dir = path.join(toolsDir, `chromium-${PROVISIONED_CHROMIUM.version}`);
  return { executablePath: path.join(dir, 'chromium'), env: { LD_LIBRARY_PATH: path.join(dir, 'al2023', 'lib') }, source: '.tools' };
}

/**
 * `npm pack` the pinned package (npm checks the registry's integrity; we check our pin), unpack its
 * brotli-compressed binary and libraries into a scratch folder, then rename it into place, so a
 * concurrent run never sees half an install.
 */
export async function provisionChromium(toolsDir: string): Promise<ChromiumBinary> {
  const target = provisionedLayout(toolsDir);
  const finalDir = path.dirname(target.executablePath);
  const scratch = path.join(toolsDir, `chromium.installing-${process.pid}`);
  await rm(scratch, { recursive: true, force: true });
  await mkdir(scratch, { recursive: true });
  console.error(`Chromium not found; downloading ${PROVISIONED_CHROMIUM.package}@${PROVISIONED_CHROMIUM.version} from the npm registry into ${finalDir} (once) ...`);
  try {
    const spec = `${PROVISIONED_CHROMIUM.package}@${PROVISIONED_CHROMIUM.version}`;
    const { stdout } = await execFileAsync('npm', ['pack', spec, '--silent', '--pack-destination', scratch], { maxBuffer: 1024 * 1024 });
    const tarball = path.join(scratch, stdout.trim().split('\n').pop() ?? '');
    const digest = `sha512-${createHash('sha512').update(await readFile(tarball)).digest('base64')}`;
    if (digest !== PROVISIONED_CHROMIUM.integrity) throw new Error(`${spec} does not match its pinned integrity`);
    await execFileAsync('tar', ['-xzf', tarball, '-C', scratch, 'package/bin']);
    const bin = path.join(scratch, 'package', 'bin');
    await unbrotli(path.join(bin, 'chromium.br'), path.join(scratch, 'chromium'));
    await execFileAsync('chmod', ['0755', path.join(scratch, 'chromium')]);
    for (const [archive, into] of [['al2023.tar.br', path.join(scratch, 'al2023')], ['swiftshader.tar.br', scratch]] as const) {
      await mkdir(into, { recursive: true });
      const tar = path.join(scratch, archive.replace(/\.br$/, ''));
      await unbrotli(path.join(bin, archive), tar);
      await execFileAsync('tar', ['-xf', tar, '-C', into]);
      await rm(tar);
    }
    await rm(path.join(scratch, 'package'), { recursive: true });
    await rm(tarball);
    await rm(finalDir, { recursive: true, force: true });
    await rename(scratch, finalDir);
  } catch (err) {
    await rm(scratch, { recursive: true, force: true });
    throw err;
  }
  return target;
}

async function unbrotli(from: string, to: string): Promise<void> {
  await pipeline(createReadStream(from), createBrotliDecompress(), createWriteStream(to));
}
