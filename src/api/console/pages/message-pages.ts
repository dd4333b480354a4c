import { html } from '../html';
import { htmlDocument } from './document';

/**
 * Answers a navigation that arrived from another site (e.g. Heroku's OAuth redirect) without the
 * session cookie: SameSite=Strict cookies are withheld from cross-site navigations. Reloading the
 * same URL from this page is a same-site navigation, which carries the cookie.
 */
export function continuePage(url: string): string {
  return htmlDocument({
    title: 'Continue',
    head: html`<meta http-equiv="refresh" content="0; url=${url}">`,
    body: html`<main id="main" class="sign-in"><p><a href="${url}">Continue to the console</a></p></main>`,
  });
}

export function errorPage(title: string, message: string): string {
  return htmlDocument({
    title,
    body: html`<main id="main" class="sign-in"><h1>${title}</h1><p class="notice notice-error" role="alert">${message}</p><p><a href="/integrations">Back to the console</a></p></main>`,
  });
}
