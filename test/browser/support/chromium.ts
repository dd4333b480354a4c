import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { projectRoot } from '../../../src/paths';
import { locateChromium, NoChromiumError, type ChromiumBinary } from './chromium-binary';
export const SCREENSHOTS_DIR = path.join(projectRoot, 'test-artifacts', 'screenshots');
export const DESKTOP = { width: 1280, height: 900 };
export const PHONE = { width: 390, height: 844 };

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Full-page screenshot to test-artifacts/screenshots/<name>.png. */
  screenshot(name: string): Promise<void>;
  close(): Promise<void>;
}

let binary: Promise<ChromiumBinary> | undefined;

/** Found or provisioned once per test run (see chromium-binary.ts). */
function chromiumBinary(): Promise<ChromiumBinary> {
  return (binary ??= locateChromium({ toolsDir: path.join(projectRoot, '.tools') }));
}

/** Headless Chromium with a fresh profile, quiet (no background network, no updates, no QUIC). */
export async function launchChromium(): Promise<Browser> {
  const found = await chromiumBinary().catch((err: unknown) => {
    // One message that says how to provide a browser; its stack would only hide that.
    if (err instanceof NoChromiumError) err.stack = `${err.name}: ${err.message}`;
    throw err;
  });
  const profile = await mkdtemp(path.join(os.tmpdir(), 'dynopulse-chromium-'));
  await mkdir(SCREENSHOTS_DIR, { recursive: true });
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: found.executablePath,
    env: { ...process.env, ...found.env },
    headless: true,
    viewport: DESKTOP,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  // Generous: the machine is shared with other test suites; waits end as soon as the condition holds.
  page.setDefaultTimeout(60_000);
  return {
    context,
    page,
    screenshot: async (name) => {
      await page.screenshot({ path: path.join(SCREENSHOTS_DIR, `${name}.png`), fullPage: true });
    },
    close: async () => {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
