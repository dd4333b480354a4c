// The "Org" field at the top of org-scoped pages: a GET form, so the URL always says what is shown.
import { field, h } from './dom.js';

export function orgPicker(org, extraFields = []) {
  const input = h('input', { name: 'org', required: true, autocomplete: 'off', value: org, maxlength: 200 });
  return h('form', { method: 'get', class: 'filters' }, field('Org id', input), ...extraFields, h('button', { type: 'submit', class: 'button-quiet' }, 'Show'));
}
