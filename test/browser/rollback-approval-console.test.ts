import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'mocha';
import type { Page } from 'playwright-core';
import { startRunStack, waitFor } from '../command-runs/support';
import { FINAL_ROLLBACK, getRollback, postRollback, rollbackReleases } from '../rollbacks/support';
import type { ConnectedIntegration } from '../support/fixtures';
import { ADMIN_TOKEN, type Stack } from '../support/stack';
import { launchChromium, type Browser } from './support/chromium';

/**
 * Deciding a gated rollback from its console page, in headless Chromium: the approval block shows
 * who asked (no command: a rollback has none), Approve / Reject call POST /api/rollbacks/:id/approve|reject
 * with the session and its CSRF token, refusals are shown, and the decision appears on the page.
 */
describe('console: approving and rejecting a gated rollback (headless Chromium)', function () {
  this.timeout(150_000);
  let stack: Stack;
  let integration: ConnectedIntegration;
  let browser: Browser;
  let page: Page;
  const apps = ['rbca-approve', 'rbca-reject'];

  before(async () => {
    ({ stack, integration } = await startRunStack({ apps: apps.map((name) => ({ name })) }));
    for (const app of [...apps, ...apps]) await stack.heroku.deploy(app);
    await stack.heroku.waitForDeliveriesSettled();
    browser = await launchChromium();
    page = browser.page;
    await page.goto(`${stack.apiUrl}/sign-in`);
    await page.getByLabel('Admin token').fill(ADMIN_TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/integrations');
  });
  after(async () => {
    await browser?.close();
    await stack?.close();
  });

  async function gated(app: string): Promise<string> {
    const id = `console-rb-gate-${randomUUID()}`;
    const posted = await postRollback(stack, { id, integrationId: integration.integrationId, appName: app, target: 'previous', requestedBy: 'requester@example.com', approval: { timeoutSeconds: 600 } });
    assert.equal(posted.status, 202, JSON.stringify(posted.json));
    const waiting = await waitFor(`rollback ${id} to await approval`, () => getRollback(stack, id), (r) => r.status === 'awaiting_approval' || FINAL_ROLLBACK.includes(r.status));
    assert.equal(waiting.status, 'awaiting_approval', waiting.error ?? '');
    await page.goto(`${stack.apiUrl}/rollbacks/${id}`);
    await page.locator('#approval-status', { hasText: 'pending' }).waitFor();
    return id;
  }

  it('shows the request, refuses the requester, and approves: the rollback then makes its one release', async () => {
    const id = await gated('rbca-approve');
    await page.getByText('requester@example.com').first().waitFor();
    assert.equal(await page.locator('#approval-command').count(), 0, 'a rollback has no command to show');
    assert.equal(((await page.locator('#rollback-status').textContent()) ?? '').trim(), 'awaiting approval');
    assert.equal(((await page.locator('#rollback-target').textContent()) ?? '').split(' ')[0], 'v3', 'the target is checked before the approval');

    const forged = await page.evaluate(async (path) => (await fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ by: 'x@example.com' }) })).status, `/api/rollbacks/${id}/approve`);
    assert.equal(forged, 403, 'no CSRF token, no decision');

    await page.getByLabel('Your email or Slack user id').fill('requester@example.com');
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.getByText(/Not recorded: .*requester@example.com/).waitFor();
    assert.equal((await getRollback(stack, id)).status, 'awaiting_approval');
    assert.equal(rollbackReleases(stack, 'rbca-approve', 3).length, 0);

    await page.getByLabel('Your email or Slack user id').fill('lead@example.com');
    await page.getByLabel('Reason (optional)').fill('bad deploy confirmed');
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.locator('#approval-status', { hasText: 'approved' }).waitFor();
    assert.equal(((await page.locator('#approval-decided-by').textContent()) ?? '').trim(), 'lead@example.com');
    await page.locator('#rollback-status', { hasText: 'succeeded' }).waitFor({ timeout: 60_000 });
    assert.equal(await page.getByRole('button', { name: 'Approve' }).count(), 0, 'no buttons once decided');
    const current = stack.heroku.releases('rbca-approve').find((r) => r.current);
    assert.equal(((await page.locator('#rollback-release').textContent()) ?? '').trim(), `v${current?.version} (${current?.id})`);
    assert.equal(rollbackReleases(stack, 'rbca-approve', 3).length, 1);
    await browser.screenshot('rollback-approved');
  });

  it('rejects: the rollback ends rejected without a release, and the page says who', async () => {
    const id = await gated('rbca-reject');
    await page.getByLabel('Your email or Slack user id').fill('U0LEAD001');
    await page.getByLabel('Reason (optional)').fill('not now');
    await page.getByRole('button', { name: 'Reject' }).click();
    await page.locator('#rollback-status', { hasText: 'rejected' }).waitFor({ timeout: 60_000 });
    assert.equal(((await page.locator('#approval-decided-by').textContent()) ?? '').trim(), 'U0LEAD001');
    await page.getByText('not now', { exact: true }).waitFor();
    assert.equal(await page.locator('#rollback-error').textContent(), 'not rolled back: rejected by U0LEAD001 (not now)');
    assert.equal((await getRollback(stack, id)).status, 'rejected');
    assert.equal(rollbackReleases(stack, 'rbca-reject', 3).length, 0);
  });
});
