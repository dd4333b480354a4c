// One command run, live: status, exit code and the output growing as the dyno writes it
// (polls GET /api/command-runs/:id and its /output until the run ends).
import { api, apiText } from '../api.js';
import { badge, h, notice, refresher, replace, time } from '../dom.js';

const LIVE = new Set(['pending', 'running']);

export async function render(root, { id, temporalWorkflowsUrl }) {
  const facts = h('div', {}, h('p', { class: 'muted' }, 'Loading…'));
  const output = h('pre', { class: 'output', tabindex: 0, 'aria-label': 'Command output', 'aria-live': 'off' });
  const outputNote = h('p', { class: 'hint' });
  const temporalLink = temporalWorkflowsUrl
    ? h('p', {}, h('a', { href: `${temporalWorkflowsUrl}/heroku-run-${encodeURIComponent(id)}`, target: '_blank', rel: 'noopener' }, 'This run in the Temporal UI'))
    : h('p', { class: 'hint' }, 'Workflow id ', h('code', {}, `heroku-run-${id}`));
  replace(root, facts, temporalLink, h('section', { 'aria-labelledby': 'output-heading' }, h('h2', { id: 'output-heading' }, 'Output'), outputNote, output));

  let shownBytes = -1;
  const refresh = refresher(async () => {
    let run;
    try {
      run = await api(`/api/command-runs/${encodeURIComponent(id)}`);
    } catch (err) {
      replace(facts, notice('error', err.status === 404 ? `There is no command run ${id}.` : `Could not load the run: ${err.message}`));
      return err.status !== 404;
    }
    showFacts(facts, run);
    const live = LIVE.has(run.status);
    if (run.outputBytes !== shownBytes || !live) {
      try {
        const text = await apiText(`/api/command-runs/${encodeURIComponent(id)}/output`);
        const atBottom = output.scrollTop + output.clientHeight >= output.scrollHeight - 4;
        output.textContent = text;
        if (atBottom) output.scrollTop = output.scrollHeight;
        shownBytes = run.outputBytes;
      } catch (err) {
        replace(outputNote, notice('error', `Could not load the output: ${err.message}`));
      }
    }
    replace(outputNote, live ? 'Streaming… the output grows as the dyno writes it.' : output.textContent === '' ? 'The command printed nothing.' : '');
    return live;
  }, 1000);
  await refresh();
}

function showFacts(container, run) {
  const rows = [
    ['Status', h('span', { id: 'run-status' }, badge(run.status))],
    ['Exit code', h('span', { id: 'run-exit-code' }, run.exitCode ?? (LIVE.has(run.status) ? 'not yet' : '—'))],
    ['App', run.appName],
    ['Dyno', run.dynoName ? [run.dynoName, run.dynoId ? h('span', { class: 'muted' }, ` (${run.dynoId})`) : ''] : h('span', { class: 'muted' }, '—')],
    ['Dyno size', run.dynoSize],
    ['Time to live', run.timeToLiveSeconds === undefined ? '—' : `${run.timeToLiveSeconds} s`],
    ['Timed out', run.timedOut ? 'yes' : 'no'],
    ['Output', `${run.outputBytes ?? 0} bytes`],
    ['Started', time(run.startedAt)],
    ['Finished', time(run.finishedAt)],
  ];
  if (run.error) rows.push(['Error', h('span', { class: 'reason' }, typeof run.error === 'string' ? run.error : JSON.stringify(run.error))]);
  replace(container, h('dl', { class: 'facts' }, rows.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])));
}
