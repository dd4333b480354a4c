// One rollback, live (GET /api/rollbacks/:id, polled until it ends): status, app, target, the
// release Heroku made, the error of a failed one, Slack, and the approval block of a gated one.
import { api } from '../api.js';
import { approvalSection } from '../approval.js';
import { badge, h, notice, refresher, replace, time } from '../dom.js';
import { releaseText, targetText } from '../rollback-target.js';

const LIVE = new Set(['pending', 'awaiting_approval', 'running']);

export async function render(root, { id, temporalWorkflowsUrl }) {
  const path = `/api/rollbacks/${encodeURIComponent(id)}`;
  const facts = h('div', {}, h('p', { class: 'muted' }, 'Loading…'));
  const approval = approvalSection(path, () => refresh(), 'rollback');
  const workflowId = `heroku-rollback-${id}`;
  const temporalLink = temporalWorkflowsUrl
    ? h('p', {}, h('a', { href: `${temporalWorkflowsUrl}/${encodeURIComponent(workflowId)}`, target: '_blank', rel: 'noopener' }, 'This rollback in the Temporal UI'))
    : h('p', { class: 'hint' }, 'Workflow id ', h('code', {}, workflowId));
  const allLink = h('a', { href: '/rollbacks' }, 'All rollbacks');
  replace(root, facts, approval.section, temporalLink, h('p', {}, allLink));

  // The org (for links to "What changed") comes from the rollback's integration, asked once.
  let org;
  const refresh = refresher(async () => {
    let rollback;
    try {
      rollback = await api(path);
    } catch (err) {
      replace(facts, notice('error', err.status === 404 ? `There is no rollback ${id}.` : `Could not load the rollback: ${err.message}`));
      return err.status !== 404;
    }
    if (org === undefined) {
      org = await orgOf(rollback.integrationId);
      if (org) allLink.href = `/rollbacks?org=${encodeURIComponent(org)}`;
    }
    showFacts(facts, rollback, org);
    approval.show(rollback);
    return LIVE.has(rollback.status);
  }, 1000);
  await refresh();
}

async function orgOf(integrationId) {
  try {
    return (await api(`/api/integrations/heroku/${encodeURIComponent(integrationId)}`)).orgId ?? null;
  } catch {
    return null; // the links to "What changed" are left out
  }
}

function showFacts(container, r, org) {
  const changes = (app) => (org ? h('a', { href: `/apps/${encodeURIComponent(app)}/changes?org=${encodeURIComponent(org)}` }, app) : app);
  const rows = [
    ['Status', h('span', { id: 'rollback-status' }, badge(r.status))],
    ['App', changes(r.appName)],
    ['Target', h('span', { id: 'rollback-target' }, targetText(r), r.targetReleaseId ? h('span', { class: 'muted' }, ` (${r.targetReleaseId})`) : '')],
    ['New release', h('span', { id: 'rollback-release' }, releaseText(r), r.releaseId ? h('span', { class: 'muted' }, ` (${r.releaseId})`) : '')],
  ];
  if (r.releasePulseId && org) rows.push(['Its release pulse', h('a', { href: `/changes/${encodeURIComponent(r.releasePulseId)}?org=${encodeURIComponent(org)}` }, 'the release in What changed')]);
  if (r.error) rows.push(['Error', h('span', { class: 'reason', id: 'rollback-error' }, String(r.error))]);
  rows.push(['Requested by', r.requestedBy ?? h('span', { class: 'muted' }, '—')]);
  if (r.incidentId) rows.push(['Incident', r.incidentId]);
  if (Array.isArray(r.slack) && r.slack.length > 0) {
    rows.push(['Slack', r.slack.map((post, i) => [i ? ', ' : '', `${post.channel} `, badge(post.status), post.error ? h('span', { class: 'reason' }, ` ${post.error}`) : ''])]);
  }
  rows.push(['Started', time(r.startedAt)], ['Finished', time(r.finishedAt)]);
  replace(container, h('dl', { class: 'facts' }, rows.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])));
}
