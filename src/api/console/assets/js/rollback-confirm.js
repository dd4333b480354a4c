// The confirmation step of "Roll back to this release" (server-rendered by rollback-pages.ts):
// Confirm posts the rollback to the JSON API with the session's CSRF token and opens its page;
// a refusal (bad Slack channel, integration not connected…) is shown in the form. With
// "Ask for approval first" it is posted gated (`approval`): its page then waits for a decision.
import { api } from './api.js';
import { busy, notice, parseList, replace } from './dom.js';
import { newId } from './ids.js';

const form = document.getElementById('rollback-form');
if (form) {
  const message = document.getElementById('rollback-message');
  const ask = form.elements.askApproval;
  const confirm = document.getElementById('rollback-confirm');
  const showChoice = () => {
    document.getElementById('approval-fields').hidden = !ask.checked;
    form.elements.requestedBy.required = ask.checked;
    confirm.textContent = ask.checked ? confirm.dataset.gatedLabel : confirm.dataset.directLabel;
  };
  ask.addEventListener('change', showChoice);
  showChoice(); // a ticked box survives a reload (the browser restores it)

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    replace(message);
    const requestedBy = form.elements.requestedBy.value.trim();
    let approval;
    if (ask.checked) {
      approval = approvalOf(requestedBy);
      if (typeof approval === 'string') {
        replace(message, notice('error', `Not started: ${approval}`));
        return;
      }
    }
    await busy(form, async () => {
      // Our own id: a double click, or Confirm after a lost answer, starts one rollback.
      const id = form.dataset.rollbackId ?? (form.dataset.rollbackId = newId());
      const body = {
        id,
        integrationId: form.dataset.integrationId,
        appName: form.dataset.app,
        target: form.dataset.target,
        slackChannels: parseList(form.elements.slackChannels.value),
        ...(requestedBy ? { requestedBy } : {}),
        ...(approval ? { approval } : {}),
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

  /** The `approval` input, or what is wrong with the fields (the API checks the approvers themselves). */
  function approvalOf(requestedBy) {
    // Without who asked, anyone (the asker too) could approve: the gate would be no gate.
    if (!requestedBy) return 'say who is asking for approval (your email or Slack user id): you may not approve your own rollback.';
    const field = form.elements.approvalTimeoutMinutes;
    const typed = field.value.trim();
    const minutes = Number(typed);
    const max = Number(field.max);
    if (!/^\d+$/.test(typed) || minutes < 1 || minutes > max) return `the approval expires after a whole number of minutes from 1 to ${max}.`;
    const approvers = parseList(form.elements.approvers.value);
    return { timeoutSeconds: minutes * 60, ...(approvers.length > 0 ? { approvers } : {}) };
  }
}
