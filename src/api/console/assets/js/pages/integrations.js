// Integrations: every connected Heroku account, and the "Connect Heroku Account" form that
// starts the OAuth flow (POST /api/integrations/heroku, then off to Heroku's authorize page).
import { api, apiPage } from '../api.js';
import { kindsFieldset } from '../change-kinds.js';
import { badge, busy, field, h, notice, parseList, replace, table, time } from '../dom.js';
import { currentOrg, rememberOrg } from '../org.js';

export async function render(root, { sandbox }) {
  const list = h('div', {}, h('p', { class: 'muted' }, 'Loading…'));
  const connect = connectForm();
  replace(root, h('section', { 'aria-labelledby': 'accounts-heading' }, h('h2', { id: 'accounts-heading' }, 'Heroku accounts'), list), connect.section);
  if (sandbox) void prefillFromSandbox(connect);
  await showPage(list, '/api/integrations/heroku?limit=50', true);
}

async function showPage(container, path, first) {
  let page;
  try {
    page = await apiPage(path);
  } catch (err) {
    replace(container, notice('error', `Could not list integrations: ${err.message}`));
    return;
  }
  if (first && page.items.length === 0) {
    replace(container, h('p', {}, 'No Heroku account is connected yet. Connect one below.'));
    return;
  }
  const rows = page.items.map((i) => [
    h('a', { href: `/integrations/${encodeURIComponent(i.id)}` }, i.account?.email ?? `Integration ${i.id.slice(0, 8)}`),
    i.orgId,
    h('span', {}, badge(i.status), i.statusReason ? h('span', { class: 'reason' }, ` ${i.statusReason}`) : ''),
    i.apps.length ? i.apps.join(', ') : h('span', { class: 'muted' }, 'none'),
    time(i.createdAt),
  ]);
  const more = page.next
    ? h('button', { type: 'button', class: 'button-quiet', onclick: (e) => { e.currentTarget.remove(); void showPage(container, page.next, false); } }, 'More integrations')
    : undefined;
  const content = [table({ text: 'Heroku integrations' }, ['Account', 'Org', 'Status', 'Apps', 'Created'], rows), more];
  if (first) replace(container, ...content);
  else container.append(...content.filter(Boolean));
}

function connectForm() {
  const org = h('input', { name: 'orgId', required: true, autocomplete: 'off', value: currentOrg(), maxlength: 200 });
  const apps = h('textarea', { name: 'apps', rows: 4, autocomplete: 'off', spellcheck: 'false' });
  apps.value = parseList(new URLSearchParams(location.search).get('apps') ?? '').join('\n');
  const kinds = kindsFieldset('Kinds of change to record as pulses', 'Deliveries of the unchecked kinds are still accepted, without a pulse. You can change this later.');
  const message = h('div', { 'aria-live': 'polite' });
  const hint = h('p', { class: 'hint' });
  const form = h(
    'form',
    { class: 'stack' },
    field('Org id', org, 'The incident-platform organization these apps and their pulses belong to.'),
    field('Apps to monitor', apps, 'Heroku app names, one per line. dynopulse creates one webhook on each; with none, no pulses are recorded.'),
    kinds.element,
    hint,
    h('button', { type: 'submit' }, 'Connect Heroku Account'),
    message,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    replace(message);
    await busy(form, async () => {
      try {
        rememberOrg(org.value.trim());
        const created = await api('/api/integrations/heroku', { method: 'POST', body: { orgId: org.value.trim(), apps: parseList(apps.value), watchedKinds: kinds.value() } });
        const target = new URL(created.authorizeUrl);
        if (target.protocol !== 'https:' && target.protocol !== 'http:') throw new Error('the authorize URL is not a web address');
        replace(message, notice('info', 'Opening Heroku to authorize dynopulse…'));
        location.assign(target.href);
      } catch (err) {
        replace(message, notice('error', `Could not start the connection: ${err.message}`));
      }
    });
  });
  const section = h('section', { 'aria-labelledby': 'connect-heading' }, h('h2', { id: 'connect-heading' }, 'Connect a Heroku account'), form);
  return { section, org, apps, hint };
}

async function prefillFromSandbox(connect) {
  try {
    const state = await api('/api/sandbox');
    if (!connect.org.value) connect.org.value = state.orgId;
    if (!connect.apps.value) connect.apps.value = state.apps.map((a) => a.name).join('\n');
    replace(connect.hint, `Sandbox: the simulated Heroku account ${state.account.email} owns ${state.apps.map((a) => a.name).join(', ')}; Heroku approves the connection without asking.`);
  } catch {
    // the form works without the hint
  }
}
