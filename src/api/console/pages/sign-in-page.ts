import { html } from '../html';
import { htmlDocument } from './document';

export interface SignInPageOptions {
  /** Value of the sign-in CSRF cookie, repeated in the form (double submit). */
  csrf: string;
  next: string;
  error?: string | undefined;
  /** ADMIN_API_TOKEN is unset: the console, like the API, stays closed. */
  disabled: boolean;
}

export function signInPage(options: SignInPageOptions): string {
  const body = options.disabled
    ? html`<main id="main" class="sign-in">
  <h1>dynopulse</h1>
  <p class="notice notice-error" role="alert">The console is disabled: set ADMIN_API_TOKEN to enable it (and the admin API).</p>
</main>`
    : html`<main id="main" class="sign-in">
  <h1>dynopulse</h1>
  <p>Sign in with the admin token (<code>ADMIN_API_TOKEN</code>).</p>
  ${options.error ? html`<p class="notice notice-error" role="alert" id="sign-in-error">${options.error}</p>` : ''}
  <form method="post" action="/sign-in">
    <input type="hidden" name="csrf" value="${options.csrf}">
    <input type="hidden" name="next" value="${options.next}">
    <label for="token">Admin token</label>
    <input id="token" name="token" type="password" autocomplete="current-password" required autofocus${options.error ? html` aria-describedby="sign-in-error"` : ''}>
    <button type="submit">Sign in</button>
  </form>
</main>`;
  return htmlDocument({ title: 'Sign in', body });
}
