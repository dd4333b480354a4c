// Command runs: the latest runs, and a form to run a command on a dyno (POST /api/command-runs).
import { api, apiPage, query } from '../api.js';
import { badge, busy, field, h, notice, parseList, refresher, replace, table, time } from '../dom.js';
import { newId } from '../ids.js';

const LIVE = new Set(['pending', 'running']);

export async function render(root) {
  const list = h('div', {}, h('p', { class: 'muted' }, 'Loading…'));
  replace(root, h('section', { 'aria-labelledby': 'runs-heading' }, h('h2', { id: 'runs-heading' }, 'Latest runs'), list), await runForm());
  const refresh = refresher(async () => {
    let page;
    try {
      page = await apiPage(`/api/command-runs${query({ limit: 50 })}`);
    } catch (err) {
      replace(list, notice('error', `Could not list command runs: ${err.message}`));
      return false;
    }
    if (page.items.length === 0) {
      replace(list, h('p', {}, 'No command has run yet.'));
      return false;
    }
    const rows = page.items.map((run) => [
      h('a', { href: `/command-runs/${encodeURIComponent(run.id)}` }, run.id),
      run.appName,
      badge(run.status),
      run.exitCode ?? h('span', { class: 'muted' }, '—'),
      time(run.startedAt),
    ]);
    replace(list, table({ text: 'Command runs, newest first' }, ['Run', 'App', 'Status', 'Exit code', 'Started'], rows));
    return page.items.some((run) => LIVE.has(run.status));
  }, 3000);
  await refresh();
}

async function runForm() {
  const integration = h('select', { name: 'integrationId', required: true });
  const app = h('select', { name: 'appName', required: true });
  const command = h('textarea', { name: 'command', rows: 3, required: true, spellcheck: 'false', autocomplete: 'off' });
  const size = h('select', { name: 'dynoSize' }, h('option', { value: 'standard-1X' }, 'standard-1X'), h('option', { value: 'standard-2X' }, 'standard-2X'));
  const ttl = h('input', { name: 'timeToLiveSeconds', type: 'number', min: 1, max: 1800, step: 1, value: 1800, inputmode: 'numeric' });
  const channels = h('input', { name: 'slackChannels', autocomplete: 'off', spellcheck: 'false', placeholder: '#ops, C0123' });
  const incidentId = h('input', { name: 'incidentId', autocomplete: 'off', maxlength: 200 });
  const incidentTitle = h('input', { name: 'incidentTitle', autocomplete: 'off', maxlength: 500 });
  const timeline = h('input', { name: 'postToIncidentTimeline', type: 'checkbox', id: 'post-to-timeline' });
  const message = h('div', { 'aria-live': 'polite' });
  const form = h(
    'form',
    { class: 'stack' },
    field('Heroku account', integration),
    field('App', app),
    field('Command', command, 'A Liquid template over the incident, e.g. rake db:rollback INCIDENT={{ incident.id }}; every {{ }} value is shell-quoted.'),
    h('div', { class: 'row' }, field('Dyno size', size), field('Time to live (seconds, at most 1800)', ttl)),
    field('Post the output to Slack channels', channels, 'Channel ids or #names, separated by commas.'),
    h('div', { class: 'row' }, field('Incident id', incidentId), field('Incident title', incidentTitle)),
    h('div', { class: 'check' }, timeline, h('label', { for: timeline.id }, 'Post the output to the incident timeline')),
    h('button', { type: 'submit' }, 'Run command'),
    message,
  );

  const connected = await connectedIntegrations(message);
  for (const i of connected) integration.append(h('option', { value: i.id }, `${i.account?.email ?? i.id} (${i.orgId})`));
  const fillApps = () => {
    const chosen = connected.find((i) => i.id === integration.value);
    replace(app, (chosen?.apps ?? []).map((name) => h('option', { value: name }, name)));
  };
  integration.addEventListener('change', fillApps);
  fillApps();
  if (connected.length === 0) replace(message, notice('info', 'Connect a Heroku account first (Integrations).'));

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    await busy(form, async () => {
      try {
        const body = {
          // Our own id: submitting the same form twice starts one run.
          id: form.dataset.runId ?? (form.dataset.runId = newId()),
          integrationId: integration.value,
          appName: app.value,
          command: command.value,
          dynoSize: size.value,
          timeToLiveSeconds: Number(ttl.value),
          postToIncidentTimeline: timeline.checked,
          slackChannels: parseList(channels.value),
        };
        if (incidentId.value.trim() || incidentTitle.value.trim()) body.incident = { id: incidentId.value.trim(), title: incidentTitle.value.trim() };
        const run = await api('/api/command-runs', { method: 'POST', body });
        location.assign(`/command-runs/${encodeURIComponent(run.id)}`);
      } catch (err) {
        delete form.dataset.runId; // a refused run may be corrected and sent again as a new one
        replace(message, notice('error', `Could not start the command: ${err.message}`));
      }
    });
  });
  return h('section', { 'aria-labelledby': 'run-heading' }, h('h2', { id: 'run-heading' }, 'Run a command on Heroku'), form);
}

async function connectedIntegrations(message) {
  try {
    const all = await api(`/api/integrations/heroku${query({ limit: 500 })}`);
    return all.filter((i) => i.status === 'connected');
  } catch (err) {
    replace(message, notice('error', `Could not list the Heroku accounts: ${err.message}`));
    return [];
  }
}
