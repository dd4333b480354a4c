import type { ApiContext } from '../context';

/**
 * The console's two cookies, both httpOnly and SameSite=Strict: the session, and the sign-in
 * form's CSRF value (double submit: the form carries the same value). Behind https (PUBLIC_URL)
 * they are Secure and use the `__Host-` prefix, which pins them to this exact host.
 */
export class ConsoleCookies {
  readonly secure: boolean;
  readonly sessionName: string;
  readonly signInName: string;

  constructor(publicUrl: string) {
    this.secure = new URL(publicUrl).protocol === 'https:';
    const prefix = this.secure ? '__Host-' : '';
    this.sessionName = `${prefix}dynopulse_session`;
    this.signInName = `${prefix}dynopulse_signin`;
  }

  read(ctx: ApiContext, name: string): string | undefined {
    return ctx.cookies.get(name) ?? undefined;
  }

  /**
   * Written by hand rather than with ctx.cookies.set: Koa refuses Secure cookies on a request it
   * believes is plain http, which is what a TLS-terminating proxy without X-Forwarded-Proto looks like.
   */
  write(ctx: ApiContext, name: string, value: string, maxAgeSeconds: number): void {
    const attributes = [`${name}=${value}`, 'Path=/', `Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}`, 'HttpOnly', 'SameSite=Strict'];
    if (this.secure) attributes.push('Secure');
    ctx.append('Set-Cookie', attributes.join('; '));
  }

  clear(ctx: ApiContext, name: string): void {
    this.write(ctx, name, '', 0);
  }
}
