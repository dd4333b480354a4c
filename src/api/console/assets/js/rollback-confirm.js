// The confirmation step of "Roll back to this release" (server-rendered by rollback-pages.ts):
// Confirm posts the rollback to the JSON API with the session's CSRF token and opens its page;
// a refusal (bad Slack channel, integration not connected…) is shown in the form.
import { api } from './api.js';
import { busy, notice, parseList, replace } from './dom.js';
import { newId } from './ids.js';

const form = document.getElementById('rollback-form');
if (form) {
  const message = document.getElementById('rollback-message');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    replace(message);
    await busy(form, async () => {
      // Our own id: a double click, or Confirm after a lost answer, starts one rollback.
      const id = form.dataset.rollbackId ?? (form.dataset.rollbackId = newId());
      const requestedBy = form.elements.requestedBy.value.trim();
      const body = {
        id,
        integrationId: form.dataset.integrationId,
        appName: form.dataset.app,
        target: form.dataset.target,
        slackChannels: parseList(form.elements.slackChannels.value),
        ...(requestedBy ? { requestedBy } : {}),
      };
      try {
        const started = await api('/api/rollbacks', { method: 'POST', body });
        location.assign(`/rollbacks/${encodeURIComponent(started.id)}`);
      } catch (err) {
        delete form.dataset.rollbackId; // a refused rollback may be corrected and sent again as a new one
        replace(message, notice('error', `Not started: ${err.message}`));
      }
    });
  });
}
