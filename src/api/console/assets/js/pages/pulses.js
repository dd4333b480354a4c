// Pulses of an org, newest first, filtered by app or service; the first page refreshes itself
// so a deploy shows up without reloading.
import { api, apiPage, query } from '../api.js';
import { field, h, notice, refresher, replace, shortSha, time } from '../dom.js';
import { currentOrg, rememberOrg } from '../org.js';
import { orgPicker } from '../org-picker.js';

export async function render(root) {
  const params = new URLSearchParams(location.search);
  const org = currentOrg();
  const app = params.get('app') ?? '';
  const serviceId = params.get('service') ?? '';
  const appInput = h('input', { name: 'app', value: app, maxlength: 100, autocomplete: 'off', spellcheck: 'false' });
  const serviceSelect = h('select', { name: 'service' }, h('option', { value: '' }, 'Any service'));
  replace(root, orgPicker(org, [field('App', appInput), field('Service', serviceSelect)]));
  if (!org) {
    root.append(h('p', {}, 'Enter the org id whose pulses you want to see.'));
    return;
  }
  rememberOrg(org);
  void fillServices(serviceSelect, org, serviceId);

  const list = h('ol', { class: 'pulses' });
  const status = h('div', { 'aria-live': 'polite' });
  const older = h('div');
  root.append(h('section', { 'aria-labelledby': 'pulses-heading' }, h('h2', { id: 'pulses-heading' }, 'Newest first'), status, list, older));

  const firstPage = `/api/pulses${query({ orgId: org, app, serviceId, limit: 50 })}`;
  let shownIds = '';
  const refresh = refresher(async () => {
    let page;
    try {
      page = await apiPage(firstPage);
    } catch (err) {
      replace(status, notice('error', `Could not list pulses: ${err.message}`));
      return true;
    }
    replace(status, page.items.length === 0 ? h('p', {}, 'No pulse yet. Deploy one of the monitored apps and it appears here.') : '');
    const ids = page.items.map((p) => `${p.id}:${p.data?.commit ?? ''}`).join(',');
    // Re-render only when something changed, and never under the reader once they loaded older pulses.
    if (ids !== shownIds && !older.dataset.loaded) {
      shownIds = ids;
      replace(list, page.items.map((p) => pulseItem(p, org)));
      replace(older, page.next ? olderButton(list, older, page.next, org) : '');
    }
    return !older.dataset.loaded;
  }, 5000);
  await refresh();
}

function olderButton(list, older, next, org) {
  return h('button', {
    type: 'button',
    class: 'button-quiet',
    onclick: async () => {
      older.dataset.loaded = 'true';
      try {
        const page = await apiPage(next);
        list.append(...page.items.map((p) => pulseItem(p, org)));
        replace(older, page.next ? olderButton(list, older, page.next, org) : '');
      } catch (err) {
        replace(older, notice('error', `Could not load older pulses: ${err.message}`));
      }
    },
  }, 'Older pulses');
}

function pulseItem(pulse, org) {
  const data = pulse.data ?? {};
  const labels = pulse.labels ?? {};
  const app = data.appName ?? labels.app;
  // A release's pulse is also its change: its page offers "Roll back to this release" where Heroku allows it.
  const release = typeof data.releaseId === 'string' && typeof data.version === 'number'
    ? h('p', { class: 'pulse-link' }, h('a', { href: `/changes/${encodeURIComponent(pulse.id)}${query({ org })}` }, `Release v${data.version}: details and rollback`))
    : '';
  return h(
    'li',
    { class: 'pulse' },
    h('p', { class: 'pulse-summary' }, pulse.summary),
    h(
      'dl',
      { class: 'pulse-facts' },
      h('dt', {}, 'When'), h('dd', {}, time(pulse.startedAt)),
      h('dt', {}, 'Commit'), h('dd', {}, shortSha(data.commit)),
      h('dt', {}, 'User'), h('dd', {}, data.userEmail ?? h('span', { class: 'muted' }, '—')),
      app ? [h('dt', {}, 'App'), h('dd', {}, app)] : '',
    ),
    release,
  );
}

async function fillServices(select, org, selected) {
  try {
    const services = await api(`/api/services${query({ orgId: org, limit: 500 })}`);
    for (const s of services) select.append(h('option', { value: s.id, selected: s.id === selected }, `${s.name} (${s.id})`));
  } catch {
    // filtering by service stays possible through the URL
  }
  if (selected && ![...select.options].some((o) => o.value === selected)) select.append(h('option', { value: selected, selected: true }, selected));
}
