import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'mocha';
import type { Page } from 'playwright-core';
import { startRunStack, waitFor } from '../command-runs/support';
import { FINAL_ROLLBACK, getRollback, postRollback, rollbackReleases } from '../rollbacks/support';
import type { ConnectedIntegration } from '../support/fixtures';
import type { Stack } from '../support/stack';
import { launchChromium, type Browser } from './support/chromium';
import { signIn } from './support/sign-in';

/**
 * Deciding a gated rollback from its console page, in headless Chromium: the approval block shows
 * who asked (no command: a rollback has none), Approve / Reject call POST /api/rollbacks/:id/approve|reject
 * with the session and its CSRF token, refusals are shown, and the decision appears on the page.
 * And asking for it from the confirmation step ("Ask for approval first"): a gated rollback, no release before approval.
 */
describe('console: approving and rejecting a gated rollback (headless Chromium)', function () {
  this.timeout(150_000);
  let stack: Stack;
  let integration: ConnectedIntegration;
  let browser: Browser;
  let page: Page;
  const apps = ['rbca-approve', 'rbca-reject', 'rbca-console'];

  before(async () => {
    ({ stack, integration } = await startRunStack({ apps: apps.map((name) => ({ name })) }));
    for (const app of [...apps, ...apps]) await stack.heroku.deploy(app);
    await stack.heroku.waitForDeliveriesSettled();
    browser = await launchChromium();
    page = browser.page;
    await signIn(page, stack.apiUrl);
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
  it('"Ask for approval first" on the confirmation page starts a gated rollback: its page awaits approval, nothing is released until a listed approver approves', async () => {
    const app = 'rbca-console';
    const listed = async () => (await (await stack.api(`/api/rollbacks?orgId=${integration.orgId}&appName=${app}`)).json()) as { id: string }[];
    const rollbackCalls = () => stack.heroku.calls.filter((c) => c.method === 'POST' && c.path === `/apps/${app}/releases`);
    await page.goto(`${stack.apiUrl}/apps/${app}/changes?org=${integration.orgId}`);
    await page.getByRole('link', { name: `Roll back to this release: ${app} v3` }).click();
    await page.getByRole('heading', { name: `Roll back ${app} to v3?` }).waitFor();
    assert.equal(await page.getByLabel('Approvers (optional)').isVisible(), false, 'the approval fields show only once asked for');
    await page.getByLabel('Ask for approval first').check();
    assert.equal(await page.getByLabel('Expires after (minutes)').inputValue(), '15', 'a default of 15 minutes');
    const ask = page.getByRole('button', { name: `Ask for approval to roll back ${app} to v3` });
    const alert = page.locator('#rollback-message [role="alert"]');

    // Refused in the form: no one asking (the asker could approve it), a timeout that is no whole number of minutes; the API's own refusal of a bad approver.
    await ask.click();
    assert.equal(await alert.textContent(), 'Not started: say who is asking for approval (your email or Slack user id): you may not approve your own rollback.');
    await page.getByLabel('Your email or Slack user id (optional)').fill('requester@example.com');
    for (const typed of ['0', '1.5', '10081']) {
      await page.getByLabel('Expires after (minutes)').fill(typed);
      await ask.click();
      assert.equal(await alert.textContent(), 'Not started: the approval expires after a whole number of minutes from 1 to 10080.', typed);
    }
    await page.getByLabel('Expires after (minutes)').fill('15');
    await page.getByLabel('Approvers (optional)').fill('lead');
    await ask.click();
    await alert.filter({ hasText: 'approval.approvers' }).waitFor();
    assert.match((await alert.textContent()) ?? '', /^Not started: Invalid RollbackHerokuRelease input: approval\.approvers.*: approval\.approvers entries must be an email address or a Slack user id/);
    assert.deepEqual(await listed(), [], 'no refused request started a rollback');

    await page.getByLabel('Approvers (optional)').fill('lead@example.com, U0LEAD002');
    await browser.screenshot('rollback-ask-approval');
    await ask.click();
    await page.waitForURL(/\/rollbacks\/[0-9a-f-]{36}$/);
    const id = new URL(page.url()).pathname.split('/').pop() as string;
    await page.locator('#approval-status', { hasText: 'pending' }).waitFor({ timeout: 60_000 });
    assert.equal(((await page.locator('#rollback-status').textContent()) ?? '').trim(), 'awaiting approval');
    await page.getByText('lead@example.com, U0LEAD002').waitFor();
    const waiting = await getRollback(stack, id);
    assert.equal(waiting.status, 'awaiting_approval');
    const approval = waiting.approval as { status: string; requestedBy: string; approvers: string[]; requestedAt: string; expiresAt: string };
    assert.deepEqual([approval.status, approval.requestedBy, approval.approvers], ['pending', 'requester@example.com', ['lead@example.com', 'U0LEAD002']]);
    assert.equal(Date.parse(approval.expiresAt) - Date.parse(approval.requestedAt), 15 * 60_000);
    assert.deepEqual(rollbackCalls(), [], 'Heroku is not asked before the approval');

    // Someone not listed may not approve; it still waits, unreleased.
    await page.getByLabel('Your email or Slack user id').fill('passer-by@example.com');
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.getByText('Not recorded: passer-by@example.com is not one of the approvers of this request').waitFor();
    assert.equal((await getRollback(stack, id)).status, 'awaiting_approval');
    assert.deepEqual(rollbackCalls(), []);
    assert.equal(rollbackReleases(stack, app, 3).length, 0);

    await page.getByLabel('Your email or Slack user id').fill('U0LEAD002');
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.locator('#rollback-status', { hasText: 'succeeded' }).waitFor({ timeout: 60_000 });
    assert.equal(((await page.locator('#approval-decided-by').textContent()) ?? '').trim(), 'U0LEAD002');
    assert.equal(rollbackCalls().length, 1, 'asked once, after the approval');
    assert.equal(rollbackReleases(stack, app, 3).length, 1);
    assert.deepEqual((await listed()).map((r) => r.id), [id]);
  });
});
