// Building the page with DOM calls only: text always goes through text nodes, so data from the
// API can never become markup (and the CSP forbids inline script anyway).

/**
 * h('a', { href: '/x', class: 'c', onclick: fn }, 'text', child, [more]) → element.
 * Attributes set to false/null/undefined are left out; true sets an empty attribute.
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'class') el.className = value;
    else if (key === 'value' && 'value' in el) el.value = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
}

let ids = 0;
/** A labelled form control: h('label') + control, linked by a fresh id. */
export function field(label, control, hint) {
  const id = control.id || `f${++ids}`;
  control.id = id;
  const hintEl = hint ? h('p', { class: 'hint', id: `${id}-hint` }, hint) : undefined;
  if (hintEl) control.setAttribute('aria-describedby', hintEl.id);
  return h('div', { class: 'field' }, h('label', { for: id }, label), control, hintEl);
}

/** A message in the page: kind is info, success or error. Errors are announced by screen readers. */
export function notice(kind, ...content) {
  return h('p', { class: `notice notice-${kind}`, role: kind === 'error' ? 'alert' : 'status' }, ...content);
}

export function badge(status) {
  return h('span', { class: `badge badge-${String(status).replace(/[^a-z_-]/gi, '')}` }, String(status).replace(/_/g, ' '));
}

/** A timestamp in the reader's locale, with the exact ISO value on hover and for machines. */
export function time(iso) {
  if (!iso) return h('span', { class: 'muted' }, '—');
  const date = new Date(iso);
  return h('time', { datetime: iso, title: iso }, date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' }));
}

export function shortSha(sha) {
  if (!sha) return h('span', { class: 'muted' }, '—');
  return h('code', { title: sha }, sha.slice(0, 7));
}

/** A table that turns into labelled cards on narrow screens (see console.css). */
export function table(caption, headers, rows) {
  return h(
    'table',
    { class: 'data' },
    h('caption', { class: caption.visible ? '' : 'visually-hidden' }, caption.text),
    h('thead', {}, h('tr', {}, headers.map((text) => h('th', { scope: 'col' }, text)))),
    h(
      'tbody',
      {},
      rows.map((cells) => h('tr', {}, cells.map((cell, i) => h('td', { 'data-label': headers[i] }, cell)))),
    ),
  );
}

/** Disables a form's controls while `work` runs, so a double click does not submit twice. */
export async function busy(form, work) {
  const controls = [...form.querySelectorAll('button, input, select, textarea')].filter((c) => !c.disabled);
  for (const c of controls) c.disabled = true;
  form.setAttribute('aria-busy', 'true');
  try {
    return await work();
  } finally {
    for (const c of controls) c.disabled = false;
    form.removeAttribute('aria-busy');
  }
}

/**
 * `load` now, and again every `ms` for as long as it answers true. Calling the returned function
 * reloads at once (after an action); only the latest load schedules the next one.
 */
export function refresher(load, ms) {
  let timer;
  let generation = 0;
  return async function run() {
    clearTimeout(timer);
    const mine = ++generation;
    const again = await load();
    if (again && mine === generation) timer = setTimeout(run, ms);
  };
}

/** Apps typed as lines, commas or spaces → a clean list without duplicates. */
export function parseList(text) {
  return [...new Set(text.split(/[\s,]+/).map((s) => s.trim()).filter(Boolean))];
}
