// The org the console is looking at (services and pulses are org-scoped): the `org` query
// parameter when present, else the last one used in this browser.
const KEY = 'dynopulse.org';

export function currentOrg() {
  const fromUrl = new URLSearchParams(location.search).get('org');
  if (fromUrl) return fromUrl;
  try {
    return localStorage.getItem(KEY) ?? '';
  } catch {
    return '';
  }
}

export function rememberOrg(org) {
  try {
    if (org) localStorage.setItem(KEY, org);
  } catch {
    // private mode: the URL still carries it
  }
}
