import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'mocha';
import type { Page } from 'playwright-core';
import { DESKTOP, launchChromium, PHONE, type Browser } from './support/chromium';
import { startSandbox, type SandboxProcess } from './support/sandbox-process';

/** Polls `check` (reading the page) until it holds; the deadline is generous on a shared machine. */
async function until(what: string, check: () => Promise<boolean>, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * The console end to end in headless Chromium, against `npm run sandbox` (simulated Heroku and
 * Slack, real dynopulse with embedded PostgreSQL and Temporal): what a newcomer clicks through.
 * Each step builds on the previous one. Screenshots: test-artifacts/screenshots/.
 */
describe('the console in the sandbox (headless Chromium)', function () {
  this.timeout(180_000);
  let sandbox: SandboxProcess;
  let browser: Browser;
  let page: Page;
  let integrationPath = '';
  let runPath = '';
  let deployedCommit = '';
  let workdir = '';
  const consoleUrl = (p: string) => `${sandbox.consoleUrl}${p}`;
  const pageErrors: string[] = [];

  before(async function () {
    this.timeout(300_000);
    workdir = await mkdtemp(path.join(os.tmpdir(), 'dynopulse-browser-'));
    sandbox = await startSandbox();
    browser = await launchChromium();
    page = browser.page;
    page.on('pageerror', (err) => pageErrors.push(err.message));
  });

  after(async () => {
    await browser?.close();
    await sandbox?.stop();
    await rm(workdir, { recursive: true, force: true });
  });

  const text = async (selector: string) => ((await page.locator(selector).first().textContent()) ?? '').trim();
  /** The integration's status badge once it reads `status`. */
  const waitForStatus = (status: string) => page.locator('.facts dd .badge', { hasText: new RegExp(`^${status}$`) }).waitFor({ timeout: 90_000 });
  /** Each app's webhook status, as the integration page's table shows it (read in one go: the table re-renders while syncing). */
  const appStatuses = async () =>
    Object.fromEntries(
      (await page.evaluate(`[...document.querySelectorAll('table.data tbody tr')].map((r) => [r.cells[0].textContent.trim(), r.cells[1].textContent.trim()])`)) as [string, string][],
    );

  it('signs in with the admin token, using the keyboard only', async () => {
    await page.goto(consoleUrl('/'));
    assert.match(page.url(), /\/sign-in\?next=%2Fintegrations$/);
    await browser.screenshot('01-sign-in');
    // The token field has focus on arrival: type and press Enter.
    await page.keyboard.type(sandbox.adminToken);
    await page.keyboard.press('Enter');
    await page.waitForURL('**/integrations');
    await page.getByRole('heading', { name: 'Heroku accounts' }).waitFor();
    await page.getByText('No Heroku account is connected yet').waitFor();
  });

  it('connects the simulated Heroku account through the OAuth flow and lands on the integration page', async () => {
    const org = page.getByRole('textbox', { name: 'Org id' });
    await page.getByText('Sandbox: the simulated Heroku account demo@dynopulse.test').waitFor();
    assert.equal(await org.inputValue(), 'demo', 'the sandbox suggests its org');
    await page.getByRole('textbox', { name: 'Apps to monitor' }).fill('demo-web\ndemo-worker');
    await browser.screenshot('02-integrations-connect');
    await page.getByRole('button', { name: 'Connect Heroku Account' }).click();
    // console → simulated id.heroku.com → /oauth/heroku/callback → the integration's page
    await page.waitForURL(/\/integrations\/[0-9a-f-]{36}$/);
    integrationPath = new URL(page.url()).pathname;
    await waitForStatus('connected');
    await page.getByText('demo@dynopulse.test').waitFor();
    await until('both webhooks active', async () => JSON.stringify(await appStatuses()) === JSON.stringify({ 'demo-web': 'active', 'demo-worker': 'active' }));
    await browser.screenshot('03-integration-connected');
  });

  it('edits the monitored apps: webhooks follow the list', async () => {
    await page.goto(consoleUrl(integrationPath));
    await waitForStatus('connected');
    await page.getByRole('textbox', { name: 'Monitored apps' }).fill('demo-web\ndemo-api');
    await page.getByRole('button', { name: 'Save apps' }).click();
    await page.getByText('Saved. Webhooks are syncing').waitFor();
    await until('demo-api watched, demo-worker no longer', async () => {
      const apps = await appStatuses();
      return apps['demo-api'] === 'active' && apps['demo-web'] === 'active' && apps['demo-worker'] !== 'active';
    });
    await browser.screenshot('04-integration-apps-edited');

    await page.goto(consoleUrl('/sandbox'));
    const webhookCell = (app: string) => page.locator('table.data tbody tr', { hasText: app }).locator('td').nth(1);
    await webhookCell('demo-worker').waitFor();
    assert.equal((await webhookCell('demo-api').textContent())?.trim(), 'watched');
    assert.equal((await webhookCell('demo-worker').textContent())?.trim(), 'not watched', 'our webhook on the removed app is gone');
  });

  it('simulates a deploy and shows its pulses with summary, commit, user and time', async () => {
    await page.goto(consoleUrl('/sandbox'));
    await page.getByRole('button', { name: 'Simulate deploy of demo-web' }).click();
    const notice = page.locator('.notice-success');
    await notice.waitFor();
    deployedCommit = /commit ([0-9a-f]{7})/.exec((await notice.textContent()) ?? '')?.[1] ?? '';
    assert.match(deployedCommit, /^[0-9a-f]{7}$/);
    await browser.screenshot('05-sandbox-deployed');
    await notice.getByRole('link', { name: 'See its pulses' }).click();
    await page.waitForURL(/\/pulses\?org=demo&app=demo-web$/);
    // The page refreshes itself; the deliveries and the release lookup take a moment.
    const release = page.locator('li.pulse', { hasText: '[Heroku][Release] Deploy ' });
    await release.waitFor({ timeout: 90_000 });
    await page.locator('li.pulse', { hasText: '[Heroku][Build] demo-web succeeded' }).waitFor();
    await page.locator('li.pulse', { hasText: '[Heroku][Build] demo-web pending' }).waitFor();
    assert.equal(await release.locator('code').first().textContent(), deployedCommit);
    assert.match((await release.textContent()) ?? '', /demo@dynopulse\.test/);
    assert.ok(await release.locator('time').count(), 'a time');
    const summaries = await page.locator('li.pulse .pulse-summary').allTextContents();
    assert.equal(summaries[0]?.startsWith('[Heroku][Release]'), true, `newest first: ${summaries.join(' | ')}`);
    await browser.screenshot('06-pulses');

    // Filtering by service: svc-web (Heroku App Name demo-web, seeded by the sandbox) has them too.
    await page.goto(consoleUrl('/pulses?org=demo&service=svc-web'));
    await page.locator('li.pulse', { hasText: '[Heroku][Release] Deploy ' }).waitFor();
    await page.goto(consoleUrl('/pulses?org=demo&service=svc-api'));
    await page.getByText('No pulse yet').waitFor();
  });

  it('edits a service’s name and Heroku App Name', async () => {
    await page.goto(consoleUrl('/services?org=demo'));
    const card = page.locator('li.card', { hasText: 'svc-api' });
    await card.getByRole('textbox', { name: 'Name', exact: true }).fill('Public API (v2)');
    await card.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved service svc-api.').waitFor();
    await page.reload();
    assert.equal(await page.locator('li.card', { hasText: 'svc-api' }).getByRole('textbox', { name: 'Name', exact: true }).inputValue(), 'Public API (v2)');
    assert.equal(await page.locator('li.card', { hasText: 'svc-api' }).getByRole('textbox', { name: 'Heroku App Name' }).inputValue(), 'demo-api');
    await browser.screenshot('07-services');
  });

  it('runs a command and shows its output growing, then the exit code', async () => {
    const gate = path.join(workdir, 'go');
    await page.goto(consoleUrl('/command-runs'));
    await page.getByRole('combobox', { name: 'App', exact: true }).selectOption('demo-web');
    // The command waits for the test to open a gate, so "output while running" is observed, not hoped for.
    // {{ incident.title }} arrives shell-quoted: one argument to echo.
    await page.getByRole('textbox', { name: 'Command' }).fill(`echo checking {{ incident.title }}; while [ ! -e ${gate} ]; do sleep 0.2; done; echo "rolled back"; exit 3`);
    await page.getByRole('textbox', { name: 'Post the output to Slack channels' }).fill('#ops');
    await page.getByRole('textbox', { name: 'Incident id' }).fill('INC-7');
    await page.getByRole('textbox', { name: 'Incident title' }).fill('Checkout is down');
    await browser.screenshot('08-command-runs-form');
    await page.getByRole('button', { name: 'Run command' }).click();
    await page.waitForURL(/\/command-runs\/[0-9a-f-]{36}$/);
    runPath = new URL(page.url()).pathname;

    await page.locator('#run-output', { hasText: 'checking Checkout is down' }).waitFor({ timeout: 90_000 });
    await page.locator('#run-status', { hasText: /^running$/ }).waitFor();
    assert.equal(await text('#run-exit-code'), 'not yet');
    assert.ok(!(await text('#run-output')).includes('rolled back'));
    await browser.screenshot('09-command-run-streaming');

    await writeFile(gate, '');
    await page.locator('#run-exit-code', { hasText: /^3$/ }).waitFor({ timeout: 90_000 });
    await page.locator('#run-output', { hasText: 'rolled back' }).waitFor();
    // The exit code is known when the stream ends; the run ends after its output is posted to Slack.
    await page.locator('#run-status', { hasText: /^failed$/ }).waitFor({ timeout: 90_000 });
    const temporalLink = await page.getByRole('link', { name: 'This run in the Temporal UI' }).getAttribute('href');
    assert.equal(temporalLink, `${sandbox.temporalUiUrl.replace(/\/workflows$/, '')}/workflows/heroku-run-${runPath.split('/').pop()}`);
    await browser.screenshot('10-command-run-finished');
  });

  it('lists the run and shows the file posted to the simulated Slack', async () => {
    await page.goto(consoleUrl('/command-runs'));
    const row = page.locator('table.data tbody tr', { hasText: runPath.split('/').pop() as string });
    await row.waitFor();
    assert.match((await row.textContent()) ?? '', /demo-web.*failed.*3/);

    await page.goto(consoleUrl('/sandbox'));
    const file = page.locator('li.slack-file', { hasText: 'rolled back' });
    await file.waitFor({ timeout: 90_000 });
    assert.match((await file.textContent()) ?? '', /#ops/);
    await browser.screenshot('11-sandbox-slack-file');
  });

  it('disconnects after a confirmation (Cancel keeps it connected)', async () => {
    await page.goto(consoleUrl(integrationPath));
    await waitForStatus('connected');
    await page.getByRole('button', { name: 'Disconnect…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Disconnect this Heroku account?' });
    await dialog.waitFor();
    await browser.screenshot('12-disconnect-confirmation');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    assert.equal(await text('.facts dd .badge'), 'connected');

    await page.getByRole('button', { name: 'Disconnect…' }).click();
    await dialog.getByRole('button', { name: 'Disconnect', exact: true }).click();
    await waitForStatus('disconnected');
    await browser.screenshot('13-integration-disconnected');
    await page.goto(consoleUrl('/sandbox'));
    // The sandbox's four apps: demo-web, demo-api, demo-worker and the Fir app demo-fir.
    await until('no app watched any more', async () => {
      const cells = await page.locator('table.data tbody tr td:nth-child(2)').allTextContents();
      return cells.length === 4 && cells.every((c) => c.trim() === 'not watched');
    });
  });

  it('fits every page on a phone-width screen and at 1280 px (screenshots of both)', async () => {
    const pages: [string, string][] = [
      ['integrations', '/integrations'],
      ['integration', integrationPath],
      ['services', '/services?org=demo'],
      ['pulses', '/pulses?org=demo'],
      ['command-runs', '/command-runs'],
      ['command-run', runPath],
      ['sandbox', '/sandbox'],
    ];
    for (const [viewport, size] of [['desktop', DESKTOP], ['phone', PHONE]] as const) {
      await page.setViewportSize(size);
      for (const [name, p] of pages) {
        await page.goto(consoleUrl(p));
        await page.locator('#page > p.muted', { hasText: 'Loading…' }).waitFor({ state: 'detached' });
        const overflow = (await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')) as number;
        assert.ok(overflow <= 0, `${name} scrolls sideways by ${overflow}px at ${size.width}px`);
        await browser.screenshot(`${viewport}-${name}`);
      }
    }
    await page.setViewportSize(DESKTOP);
  });

  it('signs out: the pages ask for the token again', async () => {
    await page.goto(consoleUrl('/integrations'));
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/sign-in$/);
    await page.goto(consoleUrl('/pulses'));
    assert.match(page.url(), /\/sign-in\?next=%2Fpulses$/);
    assert.deepEqual(pageErrors, [], 'no script error on any page');
  });
});
