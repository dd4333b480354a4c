import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'mocha';
import type { Page } from 'playwright-core';
import { startRunStack, waitFor } from '../command-runs/support';
import { getRollback, rollbackReleases } from '../rollbacks/support';
import { connectIntegration, type ConnectedIntegration } from '../support/fixtures';
import { ADMIN_TOKEN, type Stack } from '../support/stack';
import { DESKTOP, launchChromium, PHONE, type Browser } from './support/chromium';

/**
 * "Roll back to this release" in the console, in headless Chromium against a test stack: from an
 * app's changes (linked from the integration page) to the confirmation step, through
 * POST /api/rollbacks with the session's CSRF token, to the rollback's page and the list.
 */
describe('console: rolling back to a release (headless Chromium)', function () {
  this.timeout(180_000);
  let stack: Stack;
  let integration: ConnectedIntegration;
  let browser: Browser;
  let page: Page;
  let rolledBack: string;
  const WEB = 'rbc-web';
  const BAD = 'rbc-bad';

  before(async () => {
    ({ stack, integration } = await startRunStack({ apps: [{ name: WEB }, { name: BAD }] }));
    // v1 Initial release and v2 Enable Logplex (no webhook), then two deploys: v3 and v4 (current).
    for (const app of [WEB, WEB, BAD, BAD]) await stack.heroku.deploy(app);
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

  const listed = async (orgId = integration.orgId) => (await (await stack.api(`/api/rollbacks?orgId=${orgId}`)).json()) as { id: string; status: string }[];
  const changesPath = (app: string) => `/apps/${app}/changes?org=${integration.orgId}`;
  const noSidewaysScroll = async (what: string) => {
    const width = (await page.evaluate('document.documentElement.scrollWidth')) as number;
    assert.ok(width <= PHONE.width, `${what} scrolls sideways on a phone: ${width}`);
  };

  it('from the integration page to the app’s changes, confirms, and the rollback page shows it succeeded with the version Heroku made', async () => {
    await page.goto(`${stack.apiUrl}/integrations/${integration.integrationId}`);
    await page.getByRole('link', { name: `What changed in ${WEB}` }).click();
    await page.waitForURL(`**${changesPath(WEB)}`);
    // Only v3 can be rolled back to: v4 is the current release.
    assert.equal(await page.locator('a.rollback-link').count(), 1);
    await page.getByRole('link', { name: `Roll back to this release: ${WEB} v3` }).click();
    await page.waitForURL(/\/changes\/[0-9a-f-]{36}\/rollback\?org=/);
    await page.getByRole('heading', { name: `Roll back ${WEB} to v3?` }).waitFor();
    assert.equal(await page.locator('#confirm-app').textContent(), WEB);
    assert.match((await page.locator('#confirm-current').textContent()) ?? '', /^v4 /);
    assert.match((await page.locator('#confirm-target').textContent()) ?? '', /^v3 /);
    assert.deepEqual(await listed(), [], 'showing the confirmation starts nothing');

    await page.getByLabel('Tell Slack channels (optional)').fill('#ops');
    await page.getByLabel('Your email or Slack user id (optional)').fill('alice@example.com');
    await page.getByRole('button', { name: `Roll back ${WEB} to v3` }).click();
    await page.waitForURL(/\/rollbacks\/[0-9a-f-]{36}$/);
    rolledBack = new URL(page.url()).pathname.split('/').pop() as string;
    await page.locator('#rollback-status', { hasText: 'succeeded' }).waitFor({ timeout: 90_000 });

    const current = stack.heroku.releases(WEB).find((r) => r.current);
    assert.equal(current?.version, 5);
    assert.equal(current?.description, 'Rollback to v3');
    assert.equal(((await page.locator('#rollback-release').textContent()) ?? '').trim(), `v${current?.version} (${current?.id})`);
    assert.match((await page.locator('#rollback-target').textContent()) ?? '', /^v3 \(/);
    assert.equal(rollbackReleases(stack, WEB, 3).length, 1, 'one rollback release');
    const api = await getRollback(stack, rolledBack);
    assert.equal(api.releaseId, current?.id);
    assert.deepEqual(api.slack.map((p) => [p.channel, p.status]), [['#ops', 'posted']]);
    await page.getByText('alice@example.com').waitFor();
    await page.getByRole('link', { name: WEB }).waitFor();
    await browser.screenshot('rollback-succeeded');
  });

  it('from a release pulse: Cancel on the confirmation creates nothing; the newest release offers only "the release before"', async () => {
    const before = (await listed()).length;
    const releasesBefore = stack.heroku.releases(BAD).length;
    // A release pulse in the Pulses list opens the release's page.
    await page.goto(`${stack.apiUrl}/pulses?org=${integration.orgId}&app=${BAD}`);
    await page.getByRole('link', { name: 'Release v4: details and rollback' }).click();
    await page.getByRole('heading', { name: 'Release change' }).waitFor();
    assert.match((await page.locator('dl.facts').textContent()) ?? '', new RegExp(`App${BAD}`));
    const v4Page = page.url();
    assert.equal(await page.getByRole('link', { name: 'Roll back to this release' }).count(), 0, 'v4 is current: nothing to roll back to it from');
    await page.getByRole('link', { name: 'Roll back to the release before' }).click();
    await page.getByRole('heading', { name: `Roll back ${BAD} to v3?` }).waitFor();
    const confirmation = page.url();
    await page.getByRole('link', { name: 'Cancel' }).click();
    await page.waitForURL(v4Page);
    await page.getByRole('heading', { name: 'Release change' }).waitFor();
    assert.equal((await listed()).length, before);
    assert.equal(stack.heroku.releases(BAD).length, releasesBefore);

    // The newest release itself is refused by the console, with the reason, not a stack trace.
    const v4 = new URL(page.url()).pathname.split('/').pop() as string;
    const refused = await page.goto(`${stack.apiUrl}/changes/${v4}/rollback?org=${integration.orgId}`);
    assert.equal(refused?.status(), 400);
    assert.equal(await page.locator('#rollback-refused').textContent(), `Release v4 of ${BAD} is the newest release recorded for the app (its current release): there is nothing to roll back from.`);
    await page.goto(confirmation);
  });

  it('shows the API’s refusal in the form (bad Slack channel) and starts nothing', async () => {
    await page.getByLabel('Tell Slack channels (optional)').fill('ops room');
    await page.getByRole('button', { name: `Roll back ${BAD} to v3` }).click();
    const alert = page.locator('#rollback-message [role="alert"]');
    await alert.waitFor();
    assert.match((await alert.textContent()) ?? '', /^Not started: Invalid RollbackHerokuRelease input: .*slackChannels entries are channel ids \(C0123…\) or #channel-names/);
    assert.equal((await listed()).filter((r) => r.id !== rolledBack).length, 0);
    assert.ok(page.url().includes(`/rollback?org=${integration.orgId}`), 'still on the confirmation');
  });

  it('a release Heroku no longer allows: the rollback fails and its page says why', async () => {
    stack.heroku.setReleaseStatus(BAD, 3, 'failed');
    await page.getByLabel('Tell Slack channels (optional)').fill('');
    await page.getByRole('button', { name: `Roll back ${BAD} to v3` }).click();
    await page.waitForURL(/\/rollbacks\/[0-9a-f-]{36}$/);
    await page.locator('#rollback-status', { hasText: 'failed' }).waitFor({ timeout: 90_000 });
    assert.equal(await page.locator('#rollback-error').textContent(), `release v3 of ${BAD} is not eligible for rollback (status failed); pick a release that succeeded`);
    assert.ok(!/\n\s+at /.test((await page.locator('main').textContent()) ?? ''), 'no stack trace');
    assert.equal(stack.heroku.releases(BAD).length, 4, 'nothing released');
  });

  it('refuses a state-changing call without the page’s CSRF token, and stores nothing', async () => {
    const id = randomUUID();
    const status = await page.evaluate(
      async (body) => (await fetch('/api/rollbacks', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body })).status,
      JSON.stringify({ id, integrationId: integration.integrationId, appName: WEB, target: 'previous' }),
    );
    assert.equal(status, 403);
    assert.equal((await stack.api(`/api/rollbacks/${id}`)).status, 404);

    // The confirmation page needs a session and keeps the console's CSP.
    const v3 = (await (await stack.api(`/api/changes?orgId=${integration.orgId}&app=${WEB}`)).json()) as { id: string; data: { version?: number } }[];
    const path = `/changes/${v3.find((c) => c.data.version === 3)?.id}/rollback?org=${integration.orgId}`;
    const anonymous = await fetch(`${stack.apiUrl}${path}`, { redirect: 'manual' });
    assert.equal(anonymous.status, 302);
    assert.match(anonymous.headers.get('location') ?? '', /^\/sign-in\?next=/);
    const signedIn = await page.request.get(`${stack.apiUrl}${path}`);
    assert.equal(signedIn.status(), 200);
    assert.match(signedIn.headers()['content-security-policy'] ?? '', /default-src 'none'/);
  });

  it('lists the org’s rollbacks newest first from the navigation, linked to their pages', async () => {
    await page.goto(`${stack.apiUrl}/integrations/${integration.integrationId}`);
    await page.getByRole('link', { name: `Rollbacks of ${integration.orgId}` }).click();
    await page.waitForURL(`**/rollbacks?org=${integration.orgId}`);
    const rows = page.locator('table.data tbody tr');
    await rows.first().waitFor();
    assert.equal(await rows.count(), 2);
    assert.match((await rows.nth(1).textContent()) ?? '', new RegExp(`^${rolledBack}${WEB}v3v5succeeded`));
    // That one failed at the check, before Heroku confirmed the target: the list names the release asked for.
    assert.match((await rows.nth(0).textContent()) ?? '', new RegExp(`^[0-9a-f-]{36}${BAD}release [0-9a-f-]{36}—failed`));
    assert.equal(await page.getByRole('link', { name: 'Rollbacks', exact: true }).getAttribute('aria-current'), 'page');
    await page.getByRole('link', { name: rolledBack }).click();
    await page.locator('#rollback-status', { hasText: 'succeeded' }).waitFor();
  });

  it('pages an org’s rollbacks: Older rollbacks loads the rest, and keeps the keyboard on the first of them', async () => {
    const other = await connectIntegration(stack, { apps: ['rbc-many'] });
    const t0 = Date.now() - 3600_000;
    const ids = Array.from({ length: 53 }, (_, i) => `many-${String(i).padStart(2, '0')}`);
    await stack.h.db('rollbacks').insert(
      ids.map((id, i) => ({ id, workflow_id: `heroku-rollback-${id}`, integration_id: other.integrationId, app_name: 'rbc-many', input: JSON.stringify({ integrationId: other.integrationId, appName: 'rbc-many', target: 'previous', slackChannels: [], postToIncidentTimeline: false }), status: 'failed', error: 'made by the test', started_at: new Date(t0 + i * 1000), finished_at: new Date(t0 + i * 1000 + 500) })),
    );
    await page.goto(`${stack.apiUrl}/rollbacks?org=${other.orgId}`);
    const links = page.locator('table.data tbody tr td:first-child a');
    await links.first().waitFor();
    assert.equal(await links.count(), 50);
    assert.equal(await links.first().textContent(), 'many-52', 'newest first');
    await page.getByRole('button', { name: 'Older rollbacks' }).focus();
    await page.keyboard.press('Enter');
    await waitFor('the older page', () => links.count(), (n) => n === 53);
    assert.deepEqual((await links.allTextContents()).slice(48), ['many-04', 'many-03', 'many-02', 'many-01', 'many-00']);
    assert.equal(await page.evaluate('document.activeElement.textContent'), 'many-02');
    assert.equal(await page.getByRole('button', { name: 'Older rollbacks' }).count(), 0);
  });

  it('is usable with the keyboard alone: from the app’s changes to a started rollback', async () => {
    await page.goto(`${stack.apiUrl}${changesPath(WEB)}`);
    const link = page.locator('a.rollback-link').first();
    await link.focus();
    assert.match((await link.getAttribute('aria-label')) ?? '', /^Roll back to this release: rbc-web v\d+$/);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/rollback\?org=/);
    await page.getByLabel('Tell Slack channels (optional)').focus();
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate('document.activeElement.id'), 'requested-by');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate('document.activeElement.id'), 'rollback-confirm');
    const ring = (await page.evaluate('getComputedStyle(document.activeElement).outlineStyle')) as string;
    assert.equal(ring, 'solid', 'a visible focus ring');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate('document.activeElement.id'), 'rollback-cancel');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/rollbacks\/[0-9a-f-]{36}$/);
    await page.locator('#rollback-status', { hasText: 'succeeded' }).waitFor({ timeout: 90_000 });
  });

  it('fits a phone: the changes list, the confirmation, the rollback and the list scroll only downwards', async () => {
    await page.setViewportSize(PHONE);
    try {
      await page.goto(`${stack.apiUrl}${changesPath(WEB)}`);
      await noSidewaysScroll('the app’s changes');
      await page.locator('a.rollback-link').first().click();
      await page.waitForURL(/\/rollback\?org=/);
      await noSidewaysScroll('the confirmation');
      const button = await page.locator('#rollback-confirm').boundingBox();
      assert.ok(button && button.x >= 0 && button.x + button.width <= PHONE.width, `the button fits: ${JSON.stringify(button)}`);
      await browser.screenshot('rollback-confirm-phone');
      await page.goto(`${stack.apiUrl}/rollbacks/${rolledBack}`);
      await page.locator('#rollback-status', { hasText: 'succeeded' }).waitFor();
      await noSidewaysScroll('the rollback');
      await browser.screenshot('rollback-phone');
      await page.goto(`${stack.apiUrl}/rollbacks?org=${integration.orgId}`);
      await page.locator('table.data tbody tr').first().waitFor();
      await noSidewaysScroll('the list');
      await browser.screenshot('rollbacks-phone');
    } finally {
      await page.setViewportSize(DESKTOP);
    }
  });
});
