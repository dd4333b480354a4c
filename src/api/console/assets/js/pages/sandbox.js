// Sandbox only: the simulated Heroku (demo apps, "Simulate deploy") and the simulated Slack
// (the files dynopulse posted), refreshed every few seconds.
import { api, query } from '../api.js';
import { badge, busy, h, notice, refresher, replace, table, time } from '../dom.js';

export async function render(root) {
  const message = h('div', { 'aria-live': 'polite' });
  const heroku = h('div', {}, h('p', { class: 'muted' }, 'Loading…'));
  const slack = h('div');
  replace(
    root,
    h('p', {}, 'Everything here happens on this machine: the Heroku and Slack that dynopulse talks to are simulators started by ', h('code', {}, 'npm run sandbox'), '.'),
    message,
    h('section', { 'aria-labelledby': 'heroku-heading' }, h('h2', { id: 'heroku-heading' }, 'Simulated Heroku'), heroku),
    h('section', { 'aria-labelledby': 'slack-heading' }, h('h2', { id: 'slack-heading' }, 'Simulated Slack'), slack),
  );
  let shownApps = '';
  let shownFiles = '';
  const refresh = refresher(async () => {
    let state;
    try {
      state = await api('/api/sandbox');
    } catch (err) {
      replace(message, notice('error', `The sandbox does not answer: ${err.message}`));
      return true;
    }
    const apps = JSON.stringify(state.apps);
    if (apps !== shownApps) {
      shownApps = apps;
      showHeroku(heroku, state, message);
    }
    const files = JSON.stringify(state.files.map((f) => f.id));
    if (files !== shownFiles) {
      shownFiles = files;
      showSlack(slack, state);
    }
    return true;
  }, 2000);
  await refresh();
}

function showHeroku(container, state, message) {
  const rows = state.apps.map((app) => [
    app.name,
    app.webhooks > 0 ? badge('watched') : h('span', { class: 'muted' }, 'not watched'),
    h('div', { class: 'row' }, deployButton(state.orgId, app.name, false, message), deployButton(state.orgId, app.name, true, message)),
  ]);
  replace(
    container,
    h('p', {}, 'Account ', h('strong', {}, state.account.email), '. Connecting from Integrations authorizes dynopulse at once (no Heroku login).'),
    table({ text: 'Demo apps' }, ['App', 'dynopulse webhook', 'Simulate'], rows),
  );
}

function deployButton(orgId, app, fail, message) {
  const button = h('button', { type: 'submit', class: fail ? 'button-quiet' : '' }, fail ? `Failed build on ${app}` : `Simulate deploy of ${app}`);
  const form = h('form', {}, button);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    await busy(form, async () => {
      try {
        const deploy = await api(`/api/sandbox/apps/${encodeURIComponent(app)}/deploy`, { method: 'POST', body: fail ? { fail: true } : {} });
        const what = deploy.status === 'succeeded' ? `deployed commit ${deploy.commit.slice(0, 7)} as release v${deploy.releaseVersion}` : `build of commit ${deploy.commit.slice(0, 7)} failed`;
        replace(message, notice('success', `${app}: ${what}. `, h('a', { href: `/pulses${query({ org: orgId, app })}` }, 'See its pulses')));
      } catch (err) {
        replace(message, notice('error', `Could not simulate the deploy: ${err.message}`));
      }
    });
  });
  return form;
}

function showSlack(container, state) {
  const channels = h('p', {}, 'Channels: ', state.channels.map((c, i) => [i ? ', ' : '', h('code', {}, `#${c.name}`), ` (${c.id})`]));
  if (state.files.length === 0) {
    replace(container, channels, h('p', {}, 'No file posted yet. Run a command with a Slack channel and its output lands here.'));
    return;
  }
  const files = state.files.map((file) =>
    h(
      'li',
      { class: 'card slack-file' },
      h('p', { class: 'card-title' }, file.title, ' ', h('span', { class: 'muted' }, `in ${file.channels.map((c) => `#${c}`).join(', ') || 'no channel'}`)),
      file.initialComment ? h('p', {}, file.initialComment) : '',
      h('p', { class: 'hint' }, time(file.completedAt), ` · ${file.bytes} bytes`),
      h('pre', { class: 'output' }, file.text),
    ),
  );
  replace(container, channels, h('h3', {}, 'Files posted, newest first'), h('ul', { class: 'cards' }, files));
}
