// How a rollback's target reads: the version once the rollback checked it, else what was asked.
import { h } from './dom.js';

export function targetText(rollback) {
  if (rollback.targetVersion !== null && rollback.targetVersion !== undefined) return `v${rollback.targetVersion}`;
  const t = rollback.target;
  if (!t || t.kind === 'previous') return 'the previous release';
  if (t.kind === 'version') return `v${t.version}`;
  return `release ${t.id}`;
}

export function releaseText(rollback) {
  return rollback.releaseVersion !== null && rollback.releaseVersion !== undefined ? `v${rollback.releaseVersion}` : h('span', { class: 'muted' }, '—');
}
