// The JSON API (README "HTTP API") as the console calls it: the session cookie authenticates,
// and every state-changing call carries the page's CSRF token.

const csrfToken = document.querySelector('meta[name="csrf-token"]')?.getAttribute('content') ?? '';

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

function signInAgain() {
  const here = `${location.pathname}${location.search}`;
  location.assign(`/sign-in?next=${encodeURIComponent(here)}`);
}

async function request(path, { method = 'GET', body, accept = 'application/json' } = {}) {
  const headers = { Accept: accept };
  if (method !== 'GET' && method !== 'HEAD') headers['X-CSRF-Token'] = csrfToken;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin', cache: 'no-store' });
  } catch {
    throw new ApiError(0, 'network', 'The server does not answer. Is dynopulse running?');
  }
  if (res.status === 401) {
    signInAgain();
    throw new ApiError(401, 'unauthorized', 'Your session ended; signing in again…');
  }
  if (!res.ok) {
    let error = { code: `http_${res.status}`, message: `${res.status} ${res.statusText}` };
    try {
      const parsed = await res.json();
      if (parsed && parsed.error && typeof parsed.error.message === 'string') error = parsed.error;
    } catch {
      // not our error shape: keep the status line
    }
    throw new ApiError(res.status, error.code, error.message);
  }
  return res;
}

/** The parsed JSON body of a call (undefined for an empty body). */
export async function api(path, options) {
  const res = await request(path, options);
  const text = await res.text();
  return text === '' ? undefined : JSON.parse(text);
}

/** One page of a list route: its items and the local URL of the next page (RFC 8288 Link), if any. */
export async function apiPage(path) {
  const res = await request(path);
  const items = await res.json();
  return { items, next: nextPageOf(res.headers.get('Link')) };
}

/**
 * Reads a text/plain body as it arrives (a live command's output keeps streaming until the run
 * ends), handing each decoded piece to `onText`. Stops early when `onText` returns false.
 */
export async function apiStream(path, onText) {
  const res = await request(path, { accept: 'text/plain' });
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      if (onText(value) === false) return;
    }
  } finally {
    reader.cancel().catch(() => undefined);
  }
}

function nextPageOf(link) {
  if (!link) return undefined;
  for (const part of link.split(',')) {
    const match = /<([^>]*)>\s*;\s*rel="?next"?/.exec(part);
    if (match) {
      // The server names its own absolute URL; keep only path and query so the call stays same-origin.
      const url = new URL(match[1], location.href);
      return `${url.pathname}${url.search}`;
    }
  }
  return undefined;
}

/** `?a=1&b=` from an object, leaving out empty values. */
export function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}
