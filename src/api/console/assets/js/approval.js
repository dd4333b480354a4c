// The approval block of a gated command run or rollback page: the request, the decision, and
// Approve / Reject (POST <path>/approve|reject, the same API as any client) while it waits.
import { api } from './api.js';
import { badge, busy, field, h, notice, replace, time } from './dom.js';

/**
 * A gated run or rollback (README "Approval gate"): what would run, who asked, until when, and who decided.
 * While it waits, a form to approve or reject it (POST …/approve|reject, the same API as any client).
 * Rendered again only when the approval changes, so what the reader types survives the polling.
 */
export function approvalSection(path, reload, noun) {
  const section = h('section', { 'aria-labelledby': 'approval-heading', hidden: true });
  const by = h('input', { name: 'by', required: true, autocomplete: 'email', maxlength: 320, placeholder: 'you@example.com or U0123ABCD' });
  const reason = h('input', { name: 'reason', autocomplete: 'off', maxlength: 1000 });
  const message = h('div', { 'aria-live': 'polite' });
  const decide = (kind) => async () => {
    if (!form.reportValidity()) return;
    replace(message);
    await busy(form, async () => {
      try {
        await api(`${path}/${kind}`, { method: 'POST', body: { by: by.value.trim(), ...(reason.value.trim() ? { reason: reason.value.trim() } : {}) } });
        replace(message, notice('success', kind === 'approve' ? 'Approved.' : 'Rejected.'));
      } catch (err) {
        replace(message, notice('error', `Not recorded: ${err.message}`));
      }
    });
    await reload();
  };
  const form = h(
    'form',
    { class: 'stack', id: 'approval-form' },
    field('Your email or Slack user id', by, `Who decides: the requester may not approve their own ${noun}.`),
    field('Reason (optional)', reason),
    h('div', { class: 'actions' }, h('button', { type: 'button', onclick: decide('approve') }, 'Approve'), ' ', h('button', { type: 'button', class: 'button-quiet', onclick: decide('reject') }, 'Reject')),
  );
  form.addEventListener('submit', (event) => event.preventDefault());
  const body = h('div');
  replace(section, h('h2', { id: 'approval-heading' }, 'Approval'), body);
  let shown = '';
  return {
    section,
    show(item) {
      const a = item.approval;
      if (!a) return;
      const key = JSON.stringify([a, item.status === 'awaiting_approval']);
      if (key === shown) return;
      shown = key;
      section.hidden = false;
      const rows = [
        ['Approval', h('span', { id: 'approval-status' }, badge(a.status))],
        ['Requested by', a.requestedBy ?? h('span', { class: 'muted' }, '—')],
        ['Approvers', a.approvers ? a.approvers.join(', ') : 'anyone but the requester'],
        ['Expires', time(a.expiresAt)],
      ];
      if (a.status !== 'pending') {
        rows.push(['Decided by', h('span', { id: 'approval-decided-by' }, a.decidedBy ?? (a.status === 'expired' ? 'no one (expired)' : '—'))], ['Decided', time(a.decidedAt)]);
        if (a.reason) rows.push(['Reason', a.reason]);
        if (a.decidedVia) rows.push(['Through', a.decidedVia]);
      }
      replace(
        body,
        h('dl', { class: 'facts' }, rows.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])),
        typeof a.renderedCommand === 'string' ? [h('h3', {}, 'Command to run'), h('pre', { class: 'output', id: 'approval-command', 'aria-label': 'Command to run' }, a.renderedCommand)] : '',
        a.status === 'pending' && item.status === 'awaiting_approval' ? form : '',
        message,
      );
    },
  };
}
