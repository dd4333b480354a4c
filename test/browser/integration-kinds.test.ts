import assert from 'node:assert/strict';
import { after, before, describe, it } from 'mocha';
import type { Page } from 'playwright-core';
import { connectIntegration, type ConnectedIntegration } from '../support/fixtures';
import { startStack, type Stack } from '../support/stack';
import { launchChromium, type Browser } from './support/chromium';
import { signIn } from './support/sign-in';

/** Choosing the kinds of change an integration records, in headless Chromium against a test stack. */
describe('console: kinds of change per integration (headless Chromium)', function () {
  this.timeout(120_000);
  let stack: Stack;
  let browser: Browser;
  let page: Page;
  let integration: ConnectedIntegration;

  const watchedKinds = async (where: Record<string, string>) =>
    ((await stack.h.db('integrations').where(where).first('watched_kinds')) as { watched_kinds: string[] } | undefined)?.watched_kinds;

  before(async () => {
    stack = await startStack({ inProcessWorker: false });
    integration = await connectIntegration(stack, { apps: ['kinds-web'] });
    browser = await launchChromium();
    page = browser.page;
    await signIn(page, stack.apiUrl);
  });
  after(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('the integration page shows every kind checked by default and saves the admin’s choice', async () => {
    await page.goto(`${stack.apiUrl}/integrations/${integration.integrationId}`);
    const group = page.getByRole('group', { name: 'Kinds of change to record as pulses' });
    await group.waitFor();
    for (const name of ['Builds', 'Releases (deploys)', 'Config vars (names only)', 'Scaling (formation)', 'Add-ons', 'Maintenance mode', 'App renames']) {
      assert.equal(await group.getByRole('checkbox', { name }).isChecked(), true, name);
    }
    await group.getByRole('checkbox', { name: 'Scaling (formation)' }).uncheck();
    await group.getByRole('checkbox', { name: 'Maintenance mode' }).press('Space');
    await page.getByRole('button', { name: 'Save kinds' }).click();
    await page.getByText('Saved. Recording: build, release, config, addon, rename.').waitFor();
    assert.deepEqual(await watchedKinds({ id: integration.integrationId }), ['build', 'release', 'config', 'addon', 'rename']);
    await browser.screenshot('integration-kinds-saved');

    await page.reload();
    await group.waitFor();
    assert.equal(await group.getByRole('checkbox', { name: 'Scaling (formation)' }).isChecked(), false, 'the saved choice is shown after a reload');
    assert.equal(await group.getByRole('checkbox', { name: 'Add-ons' }).isChecked(), true);
  });

  it('shows no editor until the integration’s own settings have loaded (never the defaults in their place)', async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const url = `**/api/integrations/heroku/${integration.integrationId}`;
    await page.route(url, async (route) => {
      await held;
      await route.continue();
    });
    try {
      await page.goto(`${stack.apiUrl}/integrations/${integration.integrationId}`);
      await page.getByText('Loading…').waitFor();
      assert.equal(await page.getByRole('button', { name: 'Save kinds' }).isVisible(), false, 'no kinds editor while loading');
      assert.equal(await page.getByRole('button', { name: 'Save apps' }).isVisible(), false, 'no app editor while loading');
      release();
      const group = page.getByRole('group', { name: 'Kinds of change to record as pulses' });
      await group.waitFor();
      assert.equal(await group.getByRole('checkbox', { name: 'Scaling (formation)' }).isChecked(), false, 'the saved choice, not the default');
    } finally {
      release();
      await page.unroute(url);
    }
  });

  it('the connect form sends the chosen kinds with the install request', async () => {
    await page.goto(`${stack.apiUrl}/integrations`);
    await page.getByRole('textbox', { name: 'Org id' }).fill('org-kinds-ui');
    await page.getByRole('group', { name: 'Kinds of change to record as pulses' }).getByRole('checkbox', { name: 'Add-ons' }).uncheck();
    await page.getByRole('button', { name: 'Connect Heroku Account' }).click();
    const kinds = await (async () => {
      for (let i = 0; i < 100; i++) {
        const found = await watchedKinds({ org_id: 'org-kinds-ui' });
        if (found) return found;
        await new Promise((r) => setTimeout(r, 100));
      }
      return undefined;
    })();
    assert.deepEqual(kinds, ['build', 'release', 'config', 'scaling', 'maintenance', 'rename']);
  });
});
