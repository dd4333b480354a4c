// Rollbacks of an org, newest first (GET /api/rollbacks?orgId=), paged; the first page refreshes
// itself while a rollback is still at work. Rollbacks start from a release in "What changed".
import { apiPage, query } from '../api.js';
import { badge, field, h, notice, refresher, replace, table, time } from '../dom.js';
import { currentOrg, rememberOrg } from '../org.js';
import { orgPicker } from '../org-picker.js';
import { releaseText, targetText } from '../rollback-target.js';

const LIVE = new Set(['pending', 'awaiting_approval', 'running']);
const HEADERS = ['Rollback', 'App', 'Target', 'New release', 'Status', 'Started'];

export async function render(root) {
  const org = currentOrg();
  const app = new URLSearchParams(location.search).get('app') ?? '';
  const appInput = h('input', { name: 'app', value: app, maxlength: 100, autocomplete: 'off', spellcheck: 'false' });
  replace(root, orgPicker(org, [field('App', appInput)]));
  if (!org) {
    root.append(h('p', {}, 'Enter the org id whose rollbacks you want to see.'));
    return;
  }
  rememberOrg(org);
  const status = h('div', { 'aria-live': 'polite' });
  const list = h('div');
  const older = h('div');
  root.append(
    h('section', { 'aria-labelledby': 'rollbacks-heading' }, h('h2', { id: 'rollbacks-heading' }, 'Newest first'), status, list, older),
    h('p', { class: 'hint' }, 'To roll an app back, open one of its releases in ', h('a', { href: `/services${query({ org })}` }, 'What changed'), ' (Services, or an integration’s apps) and choose “Roll back to this release”.'),
  );

  let rows = [];
  const firstPage = `/api/rollbacks${query({ orgId: org, appName: app, limit: 50 })}`;
  const show = () => replace(list, rows.length === 0 ? '' : table({ text: 'Rollbacks, newest first' }, HEADERS, rows.map(row)));
  const refresh = refresher(async () => {
    let page;
    try {
      page = await apiPage(firstPage);
    } catch (err) {
      replace(status, notice('error', `Could not list rollbacks: ${err.message}`));
      return false;
    }
    replace(status, page.items.length === 0 ? h('p', {}, app ? `No rollback of ${app} yet.` : 'No rollback in this org yet.') : '');
    // Never re-render under the reader once they loaded older rollbacks.
    if (older.dataset.loaded) return false;
    rows = page.items;
    show();
    replace(older, page.next ? olderButton(page.next) : '');
    return page.items.some((r) => LIVE.has(r.status));
  }, 3000);

  function olderButton(next) {
    return h('button', {
      type: 'button',
      class: 'button-quiet',
      onclick: async () => {
        older.dataset.loaded = 'true';
        try {
          const page = await apiPage(next);
          const shown = rows.length;
          rows = [...rows, ...page.items];
          show();
          replace(older, page.next ? olderButton(page.next) : '');
          // The button is gone: keep the keyboard where the reader was, on the first older rollback.
          list.querySelectorAll('tbody tr')[shown]?.querySelector('a')?.focus();
        } catch (err) {
          replace(older, notice('error', `Could not load older rollbacks: ${err.message}`));
        }
      },
    }, 'Older rollbacks');
  }
  await refresh();
}

function row(r) {
  return [h('a', { href: `/rollbacks/${encodeURIComponent(r.id)}` }, r.id), r.appName, targetText(r), releaseText(r), badge(r.status), time(r.startedAt)];
}
