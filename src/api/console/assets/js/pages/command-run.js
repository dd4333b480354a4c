// One command run, live: status and exit code (polled from GET /api/command-runs/:id) and the
// output growing as the dyno writes it (GET …/output streams until the run ends).
import { api, apiStream } from '../api.js';
import { approvalSection } from '../approval.js';
import { badge, h, notice, refresher, replace, time } from '../dom.js';

const LIVE = new Set(['pending', 'awaiting_approval', 'running']);
/** A browser tab is no place for 100 MB of text: show the start, link the rest. */
const SHOWN_CHARS = 2 * 1024 * 1024;

export async function render(root, { id, temporalWorkflowsUrl }) {
  const runPath = `/api/command-runs/${encodeURIComponent(id)}`;
  const facts = h('div', {}, h('p', { class: 'muted' }, 'Loading…'));
  const output = h('pre', { class: 'output', id: 'run-output', tabindex: 0, 'aria-label': 'Command output' });
  const outputNote = h('p', { class: 'hint', 'aria-live': 'polite' });
  const temporalLink = temporalWorkflowsUrl
    ? h('p', {}, h('a', { href: `${temporalWorkflowsUrl}/heroku-run-${encodeURIComponent(id)}`, target: '_blank', rel: 'noopener' }, 'This run in the Temporal UI'))
    : h('p', { class: 'hint' }, 'Workflow id ', h('code', {}, `heroku-run-${id}`));
  const approval = approvalSection(runPath, () => refresh(), 'run');
  replace(root, facts, approval.section, temporalLink, h('section', { 'aria-labelledby': 'output-heading' }, h('h2', { id: 'output-heading' }, 'Output'), outputNote, output));

  let live = true;
  const refresh = refresher(async () => {
    let run;
    try {
      run = await api(runPath);
    } catch (err) {
      replace(facts, notice('error', err.status === 404 ? `There is no command run ${id}.` : `Could not load the run: ${err.message}`));
      return err.status !== 404;
    }
    showFacts(facts, run);
    approval.show(run);
    live = LIVE.has(run.status);
    return live;
  }, 1000);
  await refresh();
  void followOutput(runPath, output, outputNote, () => live);
}

/** Streams the output into `pre`; if the connection drops while the run is live, starts over. */
async function followOutput(runPath, pre, note, isLive) {
  for (let attempt = 0; ; attempt++) {
    let shown = 0;
    pre.textContent = '';
    replace(note, 'Streaming… the output grows as the dyno writes it.');
    try {
      await apiStream(`${runPath}/output`, (text) => {
        const atBottom = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
        pre.append(text.slice(0, SHOWN_CHARS - shown));
        shown += text.length;
        if (atBottom) pre.scrollTop = pre.scrollHeight;
        return shown < SHOWN_CHARS;
      });
    } catch (err) {
      if (isLive() && attempt < 5) continue;
      replace(note, notice('error', `Could not load the output: ${err.message}`));
      return;
    }
    if (shown >= SHOWN_CHARS) {
      replace(note, 'Only the first 2 MB are shown here. ', h('a', { href: `${runPath}/output?follow=false` }, 'The whole output as text'));
    } else {
      replace(note, pre.textContent === '' ? 'The command printed nothing.' : '');
    }
    return;
  }
}

function showFacts(container, run) {
  const rows = [
    ['Status', h('span', { id: 'run-status' }, badge(run.status))],
    ['Exit code', h('span', { id: 'run-exit-code' }, run.exitCode ?? (LIVE.has(run.status) ? 'not yet' : '—'))],
    ['App', run.appName],
    ['Dyno', run.dynoName ? [run.dynoName, run.dynoId ? h('span', { class: 'muted' }, ` (${run.dynoId})`) : ''] : h('span', { class: 'muted' }, '—')],
    ['Dyno size', run.dynoSize ?? '—'],
    ['Time to live', run.timeToLiveSeconds ? `${run.timeToLiveSeconds} s` : '—'],
    ['Timed out', run.timedOut ? 'yes' : 'no'],
    ['Output', `${run.outputBytes ?? 0} bytes`],
    ['Started', time(run.startedAt)],
    ['Finished', time(run.finishedAt)],
  ];
  if (Array.isArray(run.slack) && run.slack.length > 0) {
    rows.push(['Slack', run.slack.map((post, i) => [i ? ', ' : '', `${post.channel} `, badge(post.status), post.error ? h('span', { class: 'reason' }, ` ${post.error}`) : ''])]);
  }
  if (run.error) rows.push(['Error', h('span', { class: 'reason' }, String(run.error))]);
  replace(container, h('dl', { class: 'facts' }, rows.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])));
}
