// The kinds of change an integration turns into pulses (README "Kinds of change"), as a group of
// checkboxes. Same list and order as src/pulses/kinds/change-kinds.ts.
import { h } from './dom.js';

export const CHANGE_KINDS = [
  ['build', 'Builds'],
  ['release', 'Releases (deploys)'],
  ['config', 'Config vars (names only)'],
  ['scaling', 'Scaling (formation)'],
  ['addon', 'Add-ons'],
  ['maintenance', 'Maintenance mode'],
  ['rename', 'App renames'],
];

/** A fieldset of one checkbox per kind, all checked by default; `value()` is the checked kinds, `set(kinds)` checks exactly those. */
export function kindsFieldset(legend, hint) {
  const boxes = CHANGE_KINDS.map(([kind, label]) => {
    const box = h('input', { type: 'checkbox', name: 'watchedKinds', value: kind, checked: true });
    return { kind, box, label: h('label', { class: 'check' }, box, ` ${label}`) };
  });
  const element = h('fieldset', { class: 'kinds' }, h('legend', {}, legend), hint ? h('p', { class: 'hint' }, hint) : undefined, boxes.map((b) => b.label));
  return {
    element,
    value: () => boxes.filter((b) => b.box.checked).map((b) => b.kind),
    set: (kinds) => {
      for (const b of boxes) b.box.checked = kinds.includes(b.kind);
    },
  };
}
