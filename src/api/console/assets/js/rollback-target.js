// How a rollback's target reads: the version once the rollback checked it, else what was asked.
import { h } from './dom.js';

export function targetText(rollback) {
  if (rollback.targetVersion !== null && rollback.targetVersion !== undefined) return `v${rollback.targetVersion}`;
  // The input's target as given to the API: "previous", a release id, or a version number.
  const t = rollback.target;
  if (t === 'previous' || t === null || t === undefined) return 'the previous release';
  if (typeof t === 'number') return `v${t}`;
  return `release ${t}`;
}

export function releaseText(rollback) {
  return rollback.releaseVersion !== null && rollback.releaseVersion !== undefined ? `v${rollback.releaseVersion}` : h('span', { class: 'muted' }, '—');
}
