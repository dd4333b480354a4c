import assert from 'node:assert/strict';
import { after, before, describe, it } from 'mocha';
import type { Page } from 'playwright-core';
import { connectIntegration, type ConnectedIntegration } from '../support/fixtures';
import { startStack, type Stack } from '../support/stack';
import { launchChromium, type Browser } from './support/chromium';
import { signIn } from './support/sign-in';

/**
 * The integration pages when things go wrong, in headless Chromium against a test stack:
 * the reason of an `error` status, per-app errors, and text from Heroku shown as text.
 */
describe('console integration pages: errors and hostile text (headless Chromium)', function () {
  this.timeout(120_000);
  let stack: Stack;
  let browser: Browser;
  let page: Page;
  let integration: ConnectedIntegration;
  const hostile = `<img src=x onerror="document.title='pwned'">`;

  before(async () => {
    stack = await startStack({ inProcessWorker: false });
    integration = await connectIntegration(stack, { apps: ['status-web', 'status-api'] });
    await stack.h.db('integrations').where({ id: integration.integrationId }).update({ status: 'error', status_reason: 'reconnect needed: Heroku refused the refresh token' });
    await stack.h.db('integration_apps').where({ integration_id: integration.integrationId, app_name: 'status-api' }).update({ status: 'error', last_error: `Heroku said: ${hostile}` });
    browser = await launchChromium();
    page = browser.page;
    await signIn(page, stack.apiUrl);
  });
  after(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('shows the reason next to an error status in the list and on the integration page', async () => {
    const row = page.locator('table.data tbody tr', { hasText: integration.accountEmail });
    await row.waitFor();
    assert.match((await row.textContent()) ?? '', /error\s*reconnect needed: Heroku refused the refresh token/);
    await row.getByRole('link', { name: integration.accountEmail }).click();
    await page.waitForURL(`**/integrations/${integration.integrationId}`);
    await page.getByText('reconnect needed: Heroku refused the refresh token').waitFor();
    await browser.screenshot('status-integration-error');
  });

  it('offers to connect again with the same org and apps when a reconnect is needed', async () => {
    await page.getByRole('link', { name: 'Connect the Heroku account again' }).click();
    await page.waitForURL(/\/integrations\?/);
    assert.equal(await page.getByRole('textbox', { name: 'Org id' }).inputValue(), integration.orgId);
    assert.equal(await page.getByRole('textbox', { name: 'Apps to monitor' }).inputValue(), 'status-api\nstatus-web');
    await page.goBack();
  });

  it('shows each app’s webhook error as plain text, never as markup', async () => {
    const apiRow = page.locator('table.data tbody tr', { hasText: 'status-api' });
    await apiRow.waitFor();
    assert.equal(((await apiRow.locator('td').nth(3).textContent()) ?? '').trim(), `Heroku said: ${hostile}`);
    assert.equal(await page.locator('main img').count(), 0, 'no element was made from the error text');
    assert.notEqual(await page.title(), 'pwned');
  });
});
