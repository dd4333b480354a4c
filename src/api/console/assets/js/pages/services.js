// Services of an org and their Heroku App Name (the exact, case-sensitive app name their pulses
// are matched on): edit in place, or add one (PUT /api/services/:id creates or replaces).
import { api, apiPage, query } from '../api.js';
import { busy, field, h, notice, replace } from '../dom.js';
import { currentOrg, rememberOrg } from '../org.js';
import { orgPicker } from '../org-picker.js';

export async function render(root) {
  const org = currentOrg();
  const message = h('div', { 'aria-live': 'polite' });
  const list = h('div');
  replace(root, orgPicker(org), message);
  if (!org) {
    root.append(h('p', {}, 'Enter the org id whose services you want to see.'));
    return;
  }
  rememberOrg(org);
  root.append(h('section', { 'aria-labelledby': 'services-heading' }, h('h2', { id: 'services-heading' }, `Services of ${org}`), list), addForm(org, message, () => load()));
  async function load() {
    replace(list, h('p', { class: 'muted' }, 'Loading…'));
    await showPage(list, `/api/services${query({ orgId: org, limit: 100 })}`, true, org, message);
  }
  await load();
}

async function showPage(container, path, first, org, message) {
  let page;
  try {
    page = await apiPage(path);
  } catch (err) {
    replace(container, notice('error', `Could not list services: ${err.message}`));
    return;
  }
  if (first && page.items.length === 0) {
    replace(container, h('p', {}, 'This org has no service yet. Add one below.'));
    return;
  }
  const rows = page.items.map((service) => serviceRow(service, org, message));
  const more = page.next
    ? h('button', { type: 'button', class: 'button-quiet', onclick: (e) => { e.currentTarget.remove(); void showPage(container, page.next, false, org, message); } }, 'More services')
    : undefined;
  if (first) {
    replace(container, h('ul', { class: 'cards' }, rows), more);
  } else {
    container.querySelector('ul.cards')?.append(...rows);
    if (more) container.append(more);
  }
}

function serviceRow(service, org, message) {
  const name = h('input', { name: 'name', required: true, value: service.name, maxlength: 500 });
  const app = h('input', { name: 'herokuAppName', value: service.herokuAppName ?? '', maxlength: 100, autocomplete: 'off', spellcheck: 'false' });
  const form = h(
    'form',
    { class: 'inline-edit', 'aria-label': `Service ${service.id}` },
    h('p', { class: 'card-title' }, h('code', {}, service.id)),
    field('Name', name),
    field('Heroku App Name', app),
    h('button', { type: 'submit' }, 'Save'),
    h('a', { href: `/services/${encodeURIComponent(service.id)}/changes?org=${encodeURIComponent(org)}` }, 'What changed'),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    await busy(form, async () => {
      try {
        await saveService(service.id, org, name.value, app.value);
        replace(message, notice('success', `Saved service ${service.id}.`));
      } catch (err) {
        replace(message, notice('error', `Could not save service ${service.id}: ${err.message}`));
      }
    });
  });
  return h('li', { class: 'card' }, form);
}

function addForm(org, message, reload) {
  const id = h('input', { name: 'id', required: true, maxlength: 200, autocomplete: 'off', spellcheck: 'false' });
  const name = h('input', { name: 'name', required: true, maxlength: 500 });
  const app = h('input', { name: 'herokuAppName', maxlength: 100, autocomplete: 'off', spellcheck: 'false' });
  const form = h('form', { class: 'stack' }, field('Service id', id, 'The id the incident platform uses for this service.'), field('Name', name), field('Heroku App Name', app, 'Exact Heroku app name; pulses of that app link to this service.'), h('button', { type: 'submit' }, 'Add service'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    await busy(form, async () => {
      try {
        await saveService(id.value.trim(), org, name.value, app.value);
        replace(message, notice('success', `Added service ${id.value.trim()}.`));
        form.reset();
        await reload();
      } catch (err) {
        replace(message, notice('error', `Could not add the service: ${err.message}`));
      }
    });
  });
  return h('section', { 'aria-labelledby': 'add-service-heading' }, h('h2', { id: 'add-service-heading' }, 'Add a service'), form);
}

function saveService(id, orgId, name, herokuAppName) {
  const app = herokuAppName.trim();
  return api(`/api/services/${encodeURIComponent(id)}`, { method: 'PUT', body: { orgId, name: name.trim(), herokuAppName: app === '' ? null : app } });
}
