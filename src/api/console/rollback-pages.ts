import Router from '@koa/router';
import { rollbackOffer } from '../../changes/rollback-offer';
import type { Db } from '../../db/knex';
import type { ApiContextExtras, ApiState } from '../context';
import type { ConsoleCookies } from './cookies';
import { html, type SafeHtml } from './html';
import { localPath } from './local-path';
import { answerSignedOut, renderPage } from './page-routes';
import { consoleHeader } from './pages/app-shell';
import { htmlDocument } from './pages/document';
import type { ConsoleSessionStore } from './session-store';

const ID = /^[A-Za-z0-9._:-]{1,200}$/;

/** The confirmation step of "Roll back to this release" on a release's change; Cancel returns to `back` (the page offering it). */
export const rollbackConfirmHref = (org: string, changeId: string, back: string) =>
  `/changes/${encodeURIComponent(changeId)}/rollback?${new URLSearchParams({ org, back }).toString()}`;

/**
 * "Roll back to this release": a page naming the app, the current version and the target, with
 * optional Slack channels. Nothing is started by showing it; its script (assets/js/rollback-confirm.js)
 * posts to POST /api/rollbacks with the session's CSRF token, as every console action does, and
 * opens the rollback's page. Cancel is a link back: it creates nothing.
 */
export function rollbackPageRoutes(deps: { db: Db; sessions: ConsoleSessionStore | undefined; cookies: ConsoleCookies; sandbox: boolean }): Router<ApiState, ApiContextExtras> {
  const router = new Router<ApiState, ApiContextExtras>();
  router.get('/changes/:id/rollback', async (ctx) => {
    const session = await deps.sessions?.find(deps.cookies.read(ctx, deps.cookies.sessionName));
    if (!session) return answerSignedOut(ctx);
    const org = typeof ctx.query['org'] === 'string' ? ctx.query['org'] : '';
    const changeId = ctx.params['id'] ?? '';
    const head = html`<meta name="csrf-token" content="${session.csrfToken}">
<script type="module" src="/assets/js/rollback-confirm.js"></script>`;
    const page = (status: number, title: string, content: SafeHtml) =>
      renderPage(ctx, status, htmlDocument({ title, head, body: html`${consoleHeader('rollbacks', session.csrfToken, deps.sandbox)}<main id="main" tabindex="-1"><h1>${title}</h1>${content}</main>` }));
    // Only a path on this site (localPath), so the link cannot lead elsewhere.
    const typedBack = typeof ctx.query['back'] === 'string' ? localPath(ctx.query['back']) : undefined;
    const backHref = typedBack && typedBack !== '/integrations' ? typedBack : `/changes/${encodeURIComponent(changeId)}?org=${encodeURIComponent(org)}`;
    const back = html`<p><a href="${backHref}">Back</a></p>`;
    if (!ID.test(org) || !ID.test(changeId)) return page(400, 'Roll back', html`<p class="notice notice-error" role="alert">Open this page from a release in "What changed": it needs the org (<code>?org=</code>) and the change.</p>`);
    const answer = await rollbackOffer(deps.db, org, changeId);
    if (!answer.ok) return page(answer.status, 'Cannot roll back to this release', html`<p class="notice notice-error" role="alert" id="rollback-refused">${answer.reason}</p>${back}`);
    const o = answer.offer;
    const current = o.current ? `v${o.current.version}` : 'unknown';
    page(
      200,
      `Roll back ${o.app} to v${o.targetVersion}?`,
      html`<section aria-labelledby="rollback-what"><h2 id="rollback-what">What happens</h2>
<dl class="facts" id="rollback-facts"><dt>App</dt><dd id="confirm-app">${o.app}</dd><dt>Current version</dt><dd id="confirm-current">${current}${o.current ? html` <span class="muted">(newest release recorded)</span>` : ''}</dd><dt>Target version</dt><dd id="confirm-target">v${o.targetVersion} <span class="muted">(${o.summary})</span></dd><dt>Target release id</dt><dd><code>${o.targetReleaseId}</code></dd></dl>
<p>Heroku makes a new release of <strong>${o.app}</strong> with the code and config vars of v${o.targetVersion} (${current} → v${o.targetVersion}). Add-ons and databases are not rolled back. The rollback checks the target with Heroku first and stops if it cannot be rolled back to.</p>
<form class="stack" id="rollback-form" data-integration-id="${o.integrationId}" data-app="${o.app}" data-target="${o.targetReleaseId}" novalidate>
<div class="field"><label for="slack-channels">Tell Slack channels (optional)</label><input id="slack-channels" name="slackChannels" autocomplete="off" spellcheck="false" placeholder="#ops, C0123" aria-describedby="slack-channels-hint"><p class="hint" id="slack-channels-hint">Channel ids or #names, separated by commas. The result is posted there.</p></div>
<div class="field"><label for="requested-by">Your email or Slack user id (optional)</label><input id="requested-by" name="requestedBy" autocomplete="email" maxlength="320" spellcheck="false"></div>
<div class="row"><button type="submit" class="button-danger" id="rollback-confirm">Roll back ${o.app} to v${o.targetVersion}</button> <a href="${backHref}" id="rollback-cancel">Cancel</a></div>
<div id="rollback-message" aria-live="polite"></div>
</form>
<noscript><p class="notice notice-error">Rolling back needs JavaScript. The same request is POST /api/rollbacks.</p></noscript>
</section>`,
    );
  });
  return router;
}
