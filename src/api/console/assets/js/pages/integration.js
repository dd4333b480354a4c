// One integration: account, status (with the reason on error), each app's webhook, the app-list
// editor (PUT …/apps) and Disconnect (DELETE) behind a confirmation dialog. Refreshes itself
// while anything is still in progress.
import { api, query } from '../api.js';
import { kindsFieldset } from '../change-kinds.js';
import { badge, busy, field, h, notice, parseList, refresher, replace, table, time } from '../dom.js';

const SETTLING_STATUSES = new Set(['pending', 'installing', 'disconnecting']);
const SETTLING_APP_STATUSES = new Set(['pending', 'syncing', 'removing']);
const GONE_APP_STATUSES = new Set(['removing', 'removed']);

export async function render(root, { id, temporalWorkflowsUrl }) {
  const summary = h('div', {}, h('p', { class: 'muted' }, 'Loading…'));
  const apps = h('div');
  const message = h('div', { 'aria-live': 'polite' });
  // After Disconnect, keep watching until the workflow has moved the status (it starts a moment later).
  let awaitingDisconnect = 0;
  const editor = appEditor(id, message, () => refresh());
  const kinds = kindsEditor(id, message);
  const disconnect = disconnectControl(id, message, () => {
    awaitingDisconnect = Date.now() + 5 * 60_000;
    return refresh();
  });
  const actions = h('section', { 'aria-labelledby': 'actions-heading' }, h('h2', { id: 'actions-heading' }, 'Change'), editor.form, kinds.form, disconnect.section);
  // Shown once the integration is loaded: the editors' defaults (no apps, every kind) must never
  // be on screen, or saved, in place of the integration's own settings.
  actions.hidden = true;
  replace(root, summary, message, h('section', { 'aria-labelledby': 'apps-heading' }, h('h2', { id: 'apps-heading' }, 'Apps and webhooks'), apps), actions);

  let loadedOnce = false;
  const refresh = refresher(load, 1500);
  async function load() {
    let integration;
    try {
      integration = await api(`/api/integrations/heroku/${encodeURIComponent(id)}`);
    } catch (err) {
      replace(summary, notice('error', err.status === 404 ? `There is no integration ${id}.` : `Could not load the integration: ${err.message}`));
      if (err.status === 404) actions.hidden = true;
      return false;
    }
    showSummary(summary, integration, temporalWorkflowsUrl);
    showApps(apps, integration);
    if (!loadedOnce) editor.fill(integration.apps.filter((a) => !GONE_APP_STATUSES.has(a.status)).map((a) => a.name));
    if (!loadedOnce) kinds.fill(integration.watchedKinds ?? []);
    loadedOnce = true;
    const ended = integration.status === 'disconnected' || integration.status === 'disconnecting';
    actions.hidden = ended;
    if (integration.status === 'disconnected' || integration.status === 'error') awaitingDisconnect = 0;
    // Keep refreshing while the install, a sync or the disconnect is still at work.
    return (
      SETTLING_STATUSES.has(integration.status) || integration.apps.some((a) => SETTLING_APP_STATUSES.has(a.status)) || Date.now() < awaitingDisconnect
    );
  }
  await refresh();
}

function showSummary(container, integration, temporalWorkflowsUrl) {
  const reason = integration.statusReason;
  const rows = [
    ['Status', h('span', {}, badge(integration.status), reason ? h('span', { class: 'reason' }, ` ${reason}`) : '')],
    ['Heroku account', integration.account?.email ?? h('span', { class: 'muted' }, 'not connected yet')],
    ['Org', integration.orgId],
    ['Access token expires', time(integration.tokenExpiresAt)],
    ['Integration id', h('code', {}, integration.id)],
  ];
  const list = h('dl', { class: 'facts' }, rows.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
  // Heroku refused the tokens: the way back is a new integration for the same org and apps.
  const apps = integration.apps.filter((a) => !GONE_APP_STATUSES.has(a.status)).map((a) => a.name);
  const reconnect =
    integration.status === 'error' && reason?.startsWith('reconnect needed')
      ? notice('info', h('a', { href: `/integrations${query({ org: integration.orgId, apps: apps.join(',') })}#connect-heading` }, 'Connect the Heroku account again'), ', then disconnect this integration.')
      : undefined;
  const links = temporalWorkflowsUrl
    ? h('p', {}, h('a', { href: `${temporalWorkflowsUrl}?query=${encodeURIComponent(`IntegrationId="${integration.id}"`)}`, target: '_blank', rel: 'noopener' }, 'Its workflows in the Temporal UI'))
    : undefined;
  replace(container, list, reconnect, links);
}

function showApps(container, integration) {
  const { apps, orgId } = integration;
  const rollbacks = h('p', {}, h('a', { href: `/rollbacks${query({ org: orgId })}` }, `Rollbacks of ${orgId}`));
  if (apps.length === 0) {
    replace(container, h('p', {}, 'No app is monitored: no webhook exists and no pulse is recorded.'), rollbacks);
    return;
  }
  // "What changed" of each app: its releases, with "Roll back to this release" where Heroku allows it.
  const changes = (name) => h('a', { href: `/apps/${encodeURIComponent(name)}/changes${query({ org: orgId })}`, 'aria-label': `What changed in ${name}` }, 'What changed');
  const rows = apps.map((a) => [a.name, badge(a.status), a.webhookId ? h('code', {}, a.webhookId) : h('span', { class: 'muted' }, '—'), a.lastError ?? '', changes(a.name)]);
  replace(container, table({ text: 'Apps and their webhooks' }, ['App', 'Webhook', 'Webhook id', 'Last error', 'Changes'], rows), rollbacks);
}

function appEditor(id, message, refresh) {
  const apps = h('textarea', { name: 'apps', rows: 5, autocomplete: 'off', spellcheck: 'false' });
  const form = h(
    'form',
    { class: 'stack' },
    field('Monitored apps', apps, 'One Heroku app name per line. Saving creates webhooks on added apps and deletes ours on removed ones.'),
    h('button', { type: 'submit' }, 'Save apps'),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    await busy(form, async () => {
      try {
        const result = await api(`/api/integrations/heroku/${encodeURIComponent(id)}/apps`, { method: 'PUT', body: { apps: parseList(apps.value) } });
        replace(message, notice('success', 'Saved. Webhooks are syncing', result?.workflowId ? [' (workflow ', h('code', {}, result.workflowId), ')'] : '', '.'));
        await refresh();
      } catch (err) {
        replace(message, notice('error', `Could not save the apps: ${err.message}`));
      }
    });
  });
  let typed = false;
  apps.addEventListener('input', () => (typed = true));
  // Never overwrite what the admin is typing with a refresh.
  return { form, fill: (names) => typed || (apps.value = names.join('\n')) };
}

function kindsEditor(id, message) {
  const kinds = kindsFieldset('Kinds of change to record as pulses', 'Deliveries of unchecked kinds are still accepted and recorded, without a pulse. Takes effect on the next delivery.');
  const form = h('form', { class: 'stack' }, kinds.element, h('button', { type: 'submit' }, 'Save kinds'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    await busy(form, async () => {
      try {
        const saved = await api(`/api/integrations/heroku/${encodeURIComponent(id)}/kinds`, { method: 'PUT', body: { watchedKinds: kinds.value() } });
        kinds.set(saved.watchedKinds);
        replace(message, notice('success', saved.watchedKinds.length ? `Saved. Recording: ${saved.watchedKinds.join(', ')}.` : 'Saved. No kind of change is recorded as a pulse.'));
      } catch (err) {
        replace(message, notice('error', `Could not save the kinds: ${err.message}`));
      }
    });
  });
  return { form, fill: (watched) => kinds.set(watched) };
}

function disconnectControl(id, message, refresh) {
  const confirmButton = h('button', { type: 'submit', class: 'button-danger', value: 'disconnect' }, 'Disconnect');
  const dialog = h(
    'dialog',
    { 'aria-labelledby': 'disconnect-title' },
    h(
      'form',
      { method: 'dialog', class: 'stack' },
      h('h2', { id: 'disconnect-title' }, 'Disconnect this Heroku account?'),
      h('p', {}, 'dynopulse deletes the webhooks it created, revokes its authorization and erases the tokens. Pulses already recorded stay.'),
      h('div', { class: 'row' }, h('button', { type: 'submit', class: 'button-quiet', value: 'cancel', autofocus: true }, 'Cancel'), confirmButton),
    ),
  );
  dialog.addEventListener('close', async () => {
    if (dialog.returnValue !== 'disconnect') return;
    try {
      const result = await api(`/api/integrations/heroku/${encodeURIComponent(id)}`, { method: 'DELETE' });
      replace(message, notice('success', 'Disconnecting', result?.workflowId ? [' (workflow ', h('code', {}, result.workflowId), ')'] : '', '…'));
      await refresh();
    } catch (err) {
      replace(message, notice('error', `Could not disconnect: ${err.message}`));
    }
  });
  const open = h('button', { type: 'button', class: 'button-danger', onclick: () => { dialog.returnValue = ''; dialog.showModal(); } }, 'Disconnect…');
  const section = h('div', { class: 'danger-zone' }, h('h3', {}, 'Disconnect'), h('p', {}, 'Stop monitoring every app of this account.'), open, dialog);
  return { section };
}
