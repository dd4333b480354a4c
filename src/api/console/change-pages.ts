import Router from '@koa/router';
import { z } from 'zod';
import { changeView, isFailedChange, type ChangeView } from '../../changes/change-view';
import { parseChangesQuery, type ChangesQuery } from '../../changes/changes-query';
import { getChange, listChanges } from '../../changes/list-changes';
import { changeIdOfRelease, offeredTargets } from '../../changes/rollback-offer';
import type { Db } from '../../db/knex';
import type { ApiContext, ApiContextExtras, ApiState } from '../context';
import type { ConsoleCookies } from './cookies';
import { html, type SafeHtml } from './html';
import { answerSignedOut, renderPage } from './page-routes';
import { rollbackConfirmHref } from './rollback-pages';
import { consoleHeader } from './pages/app-shell';
import { changeLabel, changeTimeline, KIND_STYLES, utcTime } from './pages/change-timeline';
import { htmlDocument } from './pages/document';
import type { ConsoleSessionStore } from './session-store';

/** The newest changes a page shows; the API pages further. */
const PAGE_MAX = 500;
const ID = /^[A-Za-z0-9._:-]{1,200}$/;

/**
 * "What changed" (server-rendered, no script): a service's or an app's changes in the window before
 * an instant (`?before=`, default now; typed into the form), and the page of one change.
 */
export function changePageRoutes(deps: { db: Db; sessions: ConsoleSessionStore | undefined; cookies: ConsoleCookies; sandbox: boolean }): Router<ApiState, ApiContextExtras> {
  const router = new Router<ApiState, ApiContextExtras>();
  const signedIn = async (ctx: ApiContext) => deps.sessions?.find(deps.cookies.read(ctx, deps.cookies.sessionName));

  for (const [path, scope] of [['/services/:id/changes', 'serviceId'], ['/apps/:id/changes', 'app']] as const) {
    router.get(path, async (ctx) => {
      const session = await signedIn(ctx);
      if (!session) return answerSignedOut(ctx);
      const id = ctx.params['id'] ?? '';
      const org = typeof ctx.query['org'] === 'string' ? ctx.query['org'] : '';
      const typed = typeof ctx.query['before'] === 'string' ? ctx.query['before'].trim() : '';
      const window = typeof ctx.query['window'] === 'string' && ctx.query['window'] !== '' ? ctx.query['window'] : undefined;
      const title = `What changed · ${scope === 'app' ? 'app' : 'service'} ${id}`;
      const page = (status: number, content: SafeHtml) => renderPage(ctx, status, htmlDocument({ title, body: html`${consoleHeader(scope === 'app' ? 'pulses' : 'services', session.csrfToken, deps.sandbox)}<main id="main" tabindex="-1"><h1>${title}</h1>${content}</main>` }));
      if (!ID.test(id) || !ID.test(org)) return page(400, html`<p class="notice notice-error" role="alert">Open this page from the services list: it needs the org (<code>?org=</code>) and a valid ${scope === 'app' ? 'app name' : 'service id'}.</p>`);
      let query: ChangesQuery;
      try {
        query = parseChangesQuery({ orgId: org, [scope]: id, before: typed === '' ? undefined : withZone(typed), window });
      } catch (err) {
        if (!(err instanceof z.ZodError)) throw err;
        return page(400, html`${form(org, typed, window)}<p class="notice notice-error" role="alert">${err.issues.map((i) => i.message).join('; ')}</p>`);
      }
      const rows = await listChanges(deps.db, query, { limit: PAGE_MAX + 1, after: undefined });
      const shown = rows.slice(0, PAGE_MAX);
      const changes = shown.map(changeView);
      const targets = await offeredTargets(deps.db, org, shown);
      const from = new Date(query.before.getTime() - query.windowMs);
      const hrefOf = (c: ChangeView) => `/changes/${encodeURIComponent(c.id)}?org=${encodeURIComponent(org)}`;
      page(
        200,
        html`${form(org, typed, window)}
<p>Changes of <strong>${id}</strong> from ${utcTime(from.toISOString())} to <strong>${utcTime(query.before.toISOString())}</strong> (${query.window}).${rows.length > PAGE_MAX ? ` Showing the newest ${PAGE_MAX}; GET /api/changes pages the rest.` : ''}</p>
${changeTimeline({ changes, from, before: query.before, hrefOf })}
<section aria-labelledby="change-list-heading"><h2 id="change-list-heading">Changes, newest first</h2>
${changes.length === 0 ? html`<p>No change in this window.</p>` : html`<ol class="change-list">${changes.map((c) => html`<li data-kind="${c.kind}"><a href="${hrefOf(c)}">${changeLabel(c)}</a>${c.actor ? html` by ${c.actor.email}` : ''}${targets.has(String(c.data['releaseId'])) ? rollbackLink(org, c, `${ctx.path}${ctx.search}`) : ''}</li>`)}</ol>`}
</section>`,
      );
    });
  }

  router.get('/changes/:id', async (ctx) => {
    const session = await signedIn(ctx);
    if (!session) return answerSignedOut(ctx);
    const org = typeof ctx.query['org'] === 'string' ? ctx.query['org'] : '';
    const row = ID.test(org) ? await getChange(deps.db, org, ctx.params['id'] ?? '') : undefined;
    const shell = (status: number, title: string, content: SafeHtml) => renderPage(ctx, status, htmlDocument({ title, body: html`${consoleHeader('pulses', session.csrfToken, deps.sandbox)}<main id="main" tabindex="-1"><h1>${title}</h1>${content}</main>` }));
    if (!row) return shell(404, 'Change not found', html`<p>There is no such change in this org.</p>`);
    const c = changeView(row);
    const offered = (await offeredTargets(deps.db, org, [row])).size > 0;
    const before = c.rollbackTarget ? await changeIdOfRelease(deps.db, org, c.rollbackTarget) : undefined;
    shell(
      200,
      `${KIND_STYLES[c.kind].label} change`,
      html`<p class="pulse-summary">${c.summary}</p>
<dl class="facts"><dt>Kind</dt><dd>${KIND_STYLES[c.kind].label}${isFailedChange(c) ? ' (failed)' : ''}</dd><dt>When</dt><dd><time datetime="${c.occurredAt}">${utcTime(c.occurredAt)}</time></dd><dt>App</dt><dd><a href="/apps/${encodeURIComponent(c.app)}/changes?org=${encodeURIComponent(org)}&amp;before=${encodeURIComponent(c.occurredAt)}">${c.app}</a></dd><dt>Who</dt><dd>${c.actor?.email ?? 'unknown'}</dd><dt>Services</dt><dd>${c.serviceIds.join(', ') || 'none'}</dd><dt>Rollback target</dt><dd>${before ? html`<a href="/changes/${encodeURIComponent(before)}?org=${encodeURIComponent(org)}">${c.rollbackTarget}</a>` : (c.rollbackTarget ?? 'none')}</dd></dl>
${offered || before ? rollbackSection(org, c, offered, before, `${ctx.path}${ctx.search}`) : ''}
<h2>Data</h2><pre class="output">${JSON.stringify(c.data, null, 2)}</pre>`,
    );
  });
  return router;
}

/** "Roll back to this release", in a line of the change list (only for releases a rollback may go to). */
function rollbackLink(org: string, c: ChangeView, back: string): SafeHtml {
  return html` · <a class="rollback-link" href="${rollbackConfirmHref(org, c.id, back)}" aria-label="Roll back to this release: ${c.app} v${String(c.data['version'])}">Roll back to this release</a>`;
}

/** On a release's page: roll back to it, or to the release before it; both open the confirmation step. */
function rollbackSection(org: string, c: ChangeView, offered: boolean, before: string | undefined, back: string): SafeHtml {
  const version = Number(c.data['version']);
  return html`<section aria-labelledby="rollback-heading"><h2 id="rollback-heading">Roll back</h2><ul class="actions-list">
${offered ? html`<li><a class="button-link" href="${rollbackConfirmHref(org, c.id, back)}">Roll back to this release</a> <span class="muted">(v${version} of ${c.app})</span></li>` : ''}
${before ? html`<li><a class="button-link button-quiet" href="${rollbackConfirmHref(org, before, back)}">Roll back to the release before</a> <span class="muted">(v${version - 1}, undoing this one)</span></li>` : ''}
</ul><p class="hint">You confirm on the next page; nothing happens before that.</p></section>`;
}

/** A typed time without a zone (`2026-12-07T11:30`) is read as UTC, as the form says. */
function withZone(text: string): string {
  const m = /^(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d)(:\d\d(?:\.\d{1,3})?)?$/.exec(text);
  return m ? `${m[1]}T${m[2]}${m[3] ?? ':00'}Z` : text;
}

function form(org: string, typed: string, window: string | undefined): SafeHtml {
  return html`<form class="filters" method="get" aria-label="Instant and window"><input type="hidden" name="org" value="${org}">
<div class="field"><label for="before">Incident start (UTC, e.g. 2026-12-07 11:30, or ISO 8601 with a zone); empty = now</label><input id="before" name="before" value="${typed}" maxlength="40" autocomplete="off" spellcheck="false"></div>
<div class="field"><label for="window">Window (ISO 8601, at most P7D)</label><input id="window" name="window" value="${window ?? 'PT24H'}" maxlength="40" autocomplete="off" spellcheck="false"></div>
<button type="submit">Show</button>
</form>`;
}
