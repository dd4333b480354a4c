import assert from 'node:assert/strict';
import { after, before, describe, it } from 'mocha';
import type { Page } from 'playwright-core';
import { recordHandMadeChange } from '../changes/support';
import { assertAllAccepted, putService, uniqueName } from '../pulses/support';
import { connectIntegration, type ConnectedIntegration } from '../support/fixtures';
import { startStack, type Stack } from '../support/stack';
import { DESKTOP, launchChromium, type Browser } from './support/chromium';
import { signIn } from './support/sign-in';

/** The "What changed" view of a service and an app, in headless Chromium against a test stack. */
describe('console "What changed" timeline (headless Chromium)', function () {
  this.timeout(180_000);
  let stack: Stack;
  let browser: Browser;
  let page: Page;
  let integration: ConnectedIntegration;
  let web: string;
  let worker: string;
  let serviceId: string;
  let oldAt: Date;
  const hostile = `<img src=x onerror="document.title='pwned'">`;

  before(async () => {
    stack = await startStack();
    [web, worker] = [uniqueName('web'), uniqueName('worker')];
    integration = await connectIntegration(stack, { apps: [web, worker] });
    serviceId = `${integration.orgId}-web`;
    await putService(stack, serviceId, { orgId: integration.orgId, name: 'Web', herokuAppName: web });
    for (const [app, fail] of [[web, false], [web, false], [worker, true]] as const) {
      const summary = await stack.heroku.deploy(app, { fail });
      await stack.heroku.waitForDeliveriesSettled();
      assertAllAccepted(stack.heroku, summary.eventIds);
    }
    const now = Date.now();
    // Kinds main does not make yet, stored through recordEvent (see test/changes/support.ts).
    await recordHandMadeChange(stack, integration, web, { kind: 'scaling', summary: `[Heroku][Scaling] ${web} web 1 → 4 ${hostile}`, data: { userEmail: 'scale@example.com' }, at: new Date(now - 20 * 60_000) });
    await recordHandMadeChange(stack, integration, web, { kind: 'config', resource: 'release', summary: `[Heroku][Config] ${web}: set FLAG`, data: { variables: ['FLAG'] }, at: new Date(now - 10 * 60_000) });
    oldAt = new Date(now - 30 * 3600_000);
    await recordHandMadeChange(stack, integration, web, { kind: 'maintenance', summary: `[Heroku][Maintenance] ${web} on`, data: {}, at: oldAt });
    browser = await launchChromium();
    page = browser.page;
    await signIn(page, stack.apiUrl);
  });
  after(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('from the services list, shows the service’s changes as marks told apart by kind, with a legend and a text list', async () => {
    await page.goto(`${stack.apiUrl}/services?org=${integration.orgId}`);
    await page.locator('li.card', { hasText: serviceId }).getByRole('link', { name: 'What changed' }).click();
    await page.waitForURL(`**/services/${serviceId}/changes?org=${integration.orgId}`);
    const marks = page.locator('svg a.mark');
    // Two deploys (build pending, build succeeded, release each), a scaling and a config change; the maintenance 30 h ago is outside PT24H.
    assert.equal(await marks.count(), 8);
    assert.deepEqual((await marks.evaluateAll((els) => els.map((e) => e.getAttribute('data-kind')))).sort(), ['build', 'build', 'build', 'build', 'config', 'release', 'release', 'scaling']);
    const shapes = (await page.evaluate(`Object.fromEntries(['build', 'release', 'config', 'scaling'].map((k) => { const g = document.querySelector('a.mark-' + k + ' g.shape'); return [k, g.firstElementChild.tagName + ':' + g.getAttribute('fill')]; }))`)) as Record<string, string>;
    assert.equal(new Set(Object.values(shapes)).size, 4, `a shape and a colour per kind: ${JSON.stringify(shapes)}`);
    const legend = await page.locator('ul.legend li').allTextContents();
    assert.deepEqual(legend.map((t) => t.trim()), ['Build', 'Release', 'Config vars', 'Scaling', 'Add-on', 'Maintenance', 'Rename', 'Rollback', 'Failed']);
    const items = page.locator('ol.change-list li');
    assert.equal(await items.count(), 8);
    assert.match((await items.first().textContent()) ?? '', /^Release: \[Heroku\]\[Release\] Deploy \w+, \d{4}-\d\d-\d\d \d\d:\d\d UTC by sre-\w+@example\.com$/, 'the newest first, with who');
    assert.match((await items.nth(6).textContent()) ?? '', /^Config vars: \[Heroku\]\[Config\] .*: set FLAG, /);
    assert.ok((await page.locator('ol.change-list').textContent())?.includes(hostile), 'hostile text shown as text');
    assert.equal(await page.locator('main img').count(), 0);
    assert.notEqual(await page.title(), 'pwned');
    await browser.screenshot('what-changed-service');
  });

  it('marks are reachable with the keyboard, show a visible focus, and link to the change', async () => {
    await page.getByRole('button', { name: 'Show' }).focus();
    await page.keyboard.press('Tab');
    const focused = (await page.evaluate(`({ cls: document.activeElement.getAttribute('class'), label: document.activeElement.getAttribute('aria-label'), stroke: getComputedStyle(document.activeElement.querySelector('g.shape')).strokeWidth })`)) as { cls: string | null; label: string | null; stroke: string };
    assert.match(focused.cls ?? '', /\bmark\b/, 'Tab after the form lands on the oldest mark');
    assert.match(focused.label ?? '', /^Scaling: \[Heroku\]\[Scaling\] .* 1 → 4 /);
    assert.equal(focused.stroke, '4px', 'a visible focus ring');
    await page.keyboard.press('Tab');
    assert.match((await page.evaluate(`document.activeElement.getAttribute('aria-label')`)) as string, /^Config vars: /, 'Tab walks the marks oldest to newest');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/changes\/[0-9a-f-]{36}\?org=/);
    await page.getByRole('heading', { name: 'Config vars change' }).waitFor();
    assert.match((await page.locator('dl.facts').textContent()) ?? '', new RegExp(`App${web}`));
    await page.goBack();
  });

  it('marks failed builds on the app page', async () => {
    await page.goto(`${stack.apiUrl}/apps/${worker}/changes?org=${integration.orgId}`);
    const failed = page.locator('svg a.mark-failed');
    assert.equal(await failed.count(), 1);
    assert.match((await failed.getAttribute('aria-label')) ?? '', /^Build \(failed\): \[Heroku\]\[Build\] .* failed/);
    assert.equal(await failed.locator('path.failed-cross').count(), 1);
    assert.match((await page.locator('ol.change-list').textContent()) ?? '', /Build \(failed\)/);
  });

  it('takes a typed incident time (read as UTC) and passes it in the URL; a bad one is refused with a message', async () => {
    await page.goto(`${stack.apiUrl}/apps/${web}/changes?org=${integration.orgId}`);
    const typed = new Date(oldAt.getTime() + 60_000).toISOString().slice(0, 16).replace('T', ' ');
    await page.getByLabel(/Incident start/).fill(typed);
    await page.getByLabel(/Window/).fill('PT2H');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.waitForURL(/before=/);
    assert.equal(new URL(page.url()).searchParams.get('before'), typed);
    assert.deepEqual(await page.locator('svg a.mark').evaluateAll((els) => els.map((e) => e.getAttribute('data-kind'))), ['maintenance'], (await page.locator('main').textContent()) ?? '');
    assert.match((await page.locator('main > p').first().textContent()) ?? '', new RegExp(`to ${typed} UTC`));

    const res = await page.goto(`${stack.apiUrl}/apps/${web}/changes?org=${integration.orgId}&before=yesterday`);
    assert.equal(res?.status(), 400);
    assert.match((await page.getByRole('alert').textContent()) ?? '', /before must be an ISO 8601 date-time/);
    const tooLong = await page.goto(`${stack.apiUrl}/apps/${web}/changes?org=${integration.orgId}&window=P8D`);
    assert.equal(tooLong?.status(), 400);
    assert.match((await page.getByRole('alert').textContent()) ?? '', /at most P7D/);
  });

  it('fits a 375 px phone: no sideways scrolling, the picture scales down', async () => {
    await page.setViewportSize({ width: 375, height: 812 });
    await page.goto(`${stack.apiUrl}/services/${serviceId}/changes?org=${integration.orgId}`);
    const sizes = (await page.evaluate(`({ scroll: document.documentElement.scrollWidth, svg: document.querySelector('figure.change-timeline svg').getBoundingClientRect().width })`)) as { scroll: number; svg: number };
    assert.ok(sizes.scroll <= 375, `page scrolls sideways: ${sizes.scroll}`);
    assert.ok(sizes.svg > 300 && sizes.svg <= 375, `svg width ${sizes.svg}`);
    const box = await page.locator('svg a.mark').first().boundingBox();
    assert.ok(box && box.width >= 8, `marks stay visible: ${JSON.stringify(box)}`);
    await browser.screenshot('what-changed-phone');
    await page.setViewportSize(DESKTOP);
  });

  it('keeps the console’s CSP and security headers, and needs a session', async () => {
    const res = await page.request.get(`${stack.apiUrl}/apps/${web}/changes?org=${integration.orgId}`);
    assert.match(res.headers()['content-security-policy'] ?? '', /default-src 'none'/);
    assert.equal(res.headers()['x-frame-options'], 'DENY');
    const anonymous = await fetch(`${stack.apiUrl}/apps/${web}/changes?org=${integration.orgId}`, { redirect: 'manual' });
    assert.equal(anonymous.status, 302);
    assert.match(anonymous.headers.get('location') ?? '', /^\/sign-in\?next=/);
  });
});
