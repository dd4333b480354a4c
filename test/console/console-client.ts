/**
 * A minimal browser for HTTP-level console tests: keeps cookies, does not follow redirects, and
 * knows the sign-in form. (The real browser tests are under test/browser/.)
 */
export class ConsoleClient {
  readonly cookies = new Map<string, string>();
  /** Raw Set-Cookie lines of the last response. */
  lastSetCookies: string[] = [];

  constructor(readonly baseUrl: string) {}

  async request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0) headers.set('Cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await fetch(`${this.baseUrl}${path}`, { ...init, headers, redirect: 'manual' });
    this.lastSetCookies = res.headers.getSetCookie();
    for (const line of this.lastSetCookies) {
      const [pair = '', ...attributes] = line.split(';').map((s) => s.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      if (attributes.some((a) => /^max-age=0$/i.test(a)) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  postForm(path: string, fields: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
    return this.request(path, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(fields).toString() });
  }

  /** The sign-in form's hidden CSRF value (and its cookie, now in the jar). */
  async signInForm(next = '/integrations'): Promise<{ csrf: string; html: string; res: Response }> {
    const res = await this.request(`/sign-in?next=${encodeURIComponent(next)}`);
    const html = await res.text();
    return { csrf: hiddenField(html, 'csrf'), html, res };
  }

  async signIn(token: string, next = '/integrations'): Promise<Response> {
    const { csrf } = await this.signInForm(next);
    return this.postForm('/sign-in', { csrf, next, token });
  }

  /** The CSRF token a signed-in page carries (meta tag). */
  async pageCsrf(path = '/integrations'): Promise<string> {
    const html = await (await this.request(path)).text();
    const match = /<meta name="csrf-token" content="([^"]+)">/.exec(html);
    if (!match?.[1]) throw new Error(`no csrf-token meta on ${path}: ${html.slice(0, 300)}`);
    return match[1];
  }
}

export function hiddenField(html: string, name: string): string {
  const match = new RegExp(`<input type="hidden" name="${name}" value="([^"]*)">`).exec(html);
  if (match?.[1] === undefined) throw new Error(`no hidden ${name} field in: ${html.slice(0, 500)}`);
  return match[1];
}
