import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'mocha';
import type { Page } from 'playwright-core';
import { awaitingApproval, dynosOfRun, FINAL, gatedRun } from '../approval/support';
import { postRun, startRunStack, waitFor } from '../command-runs/support';
import type { ConnectedIntegration } from '../support/fixtures';
import type { Stack } from '../support/stack';
import { launchChromium, type Browser } from './support/chromium';
import { signIn } from './support/sign-in';

/**
 * Approving from the console, in headless Chromium against a test stack: the run's page shows the
 * rendered (redacted) command and who asked, Approve / Reject call the API with the session and
 * its CSRF token, refusals are shown, and the decision appears on the page.
 */
describe('console: approving and rejecting a gated command run (headless Chromium)', function () {
  this.timeout(120_000);
  let stack: Stack;
  let integration: ConnectedIntegration;
  let browser: Browser;
  let page: Page;
  const SECRET = 'c0ns0le-s3cret';

  before(async () => {
    ({ stack, integration } = await startRunStack({ apps: [{ name: 'app-console-gate', configVars: { API_KEY: SECRET } }] }));
    browser = await launchChromium();
    page = browser.page;
    await signIn(page, stack.apiUrl);
  });
  after(async () => {
    await browser?.close();
    await stack?.close();
  });

  async function gated(): Promise<string> {
    const id = `console-gate-${randomUUID()}`;
    const posted = await postRun(stack, { id, integrationId: integration.integrationId, appName: 'app-console-gate', command: `echo "Key: ${SECRET}" for {{ incident.id }}`, incident: { id: 'INC-C1' }, requestedBy: 'requester@example.com', approval: { timeoutSeconds: 600 } });
    assert.equal(posted.status, 202, JSON.stringify(posted.json));
    await awaitingApproval(stack, id);
    await page.goto(`${stack.apiUrl}/command-runs/${id}`);
    return id;
  }

  it('shows the command to run, refuses the requester, and approves: the run then runs', async () => {
    const id = await gated();
    const command = page.locator('#approval-command');
    await command.waitFor();
    const shown = (await command.textContent()) ?? '';
    assert.equal(shown, `echo "Key: [REDACTED]" for 'INC-C1'`);
    assert.ok(!shown.includes(SECRET));
    assert.equal(((await page.locator('#approval-status').textContent()) ?? '').trim(), 'pending');
    await page.getByText('requester@example.com').first().waitFor();

    // A state-changing call without the page's CSRF token is refused, as for every console form.
    const forged = await page.evaluate(async (path) => (await fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ by: 'x@example.com' }) })).status, `/api/command-runs/${id}/approve`);
    assert.equal(forged, 403);

    await page.getByLabel('Your email or Slack user id').fill('requester@example.com');
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.getByText(/Not recorded: requester@example.com requested this run and may not approve it/).waitFor();
    assert.equal((await gatedRun(stack, id)).status, 'awaiting_approval');
    assert.equal(dynosOfRun(stack, 'app-console-gate', id), 0);

    await page.getByLabel('Your email or Slack user id').fill('lead@example.com');
    await page.getByLabel('Reason (optional)').fill('checked with the DBA');
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.locator('#approval-status', { hasText: 'approved' }).waitFor();
    assert.equal(((await page.locator('#approval-decided-by').textContent()) ?? '').trim(), 'lead@example.com');
    await page.getByText('checked with the DBA').waitFor();
    await page.locator('#run-status', { hasText: 'succeeded' }).waitFor({ timeout: 60_000 });
    assert.equal(await page.getByRole('button', { name: 'Approve' }).count(), 0, 'no buttons once decided');
    const run = await gatedRun(stack, id);
    assert.equal(run.approval?.decidedVia, 'console');
    assert.equal(dynosOfRun(stack, 'app-console-gate', id), 1);
    await browser.screenshot('command-run-approved');
  });

  it('rejects: the run ends rejected without a dyno, and the page says who and why', async () => {
    const id = await gated();
    await page.getByLabel('Your email or Slack user id').fill('U0LEAD001');
    await page.getByLabel('Reason (optional)').fill('not during the incident');
    await page.getByRole('button', { name: 'Reject' }).click();
    await page.locator('#run-status', { hasText: 'rejected' }).waitFor({ timeout: 60_000 });
    assert.equal(((await page.locator('#approval-decided-by').textContent()) ?? '').trim(), 'U0LEAD001');
    const done = await waitFor('the run to end', () => gatedRun(stack, id), (r) => FINAL.includes(r.status));
    assert.equal(done.status, 'rejected');
    assert.equal(dynosOfRun(stack, 'app-console-gate', id), 0);
  });
});
