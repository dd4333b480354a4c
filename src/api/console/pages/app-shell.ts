import { html, type SafeHtml } from '../html';
import { htmlDocument } from './document';

/** The pages of the console; `module` is the script under assets/js/pages/ that renders it. */
export interface ConsolePage {
  path: string;
  module: string;
  title: string;
  /** The navigation entry it belongs to. */
  section: NavSection;
  sandboxOnly?: boolean;
}

export type NavSection = 'integrations' | 'services' | 'pulses' | 'command-runs' | 'rollbacks' | 'sandbox';

export const CONSOLE_PAGES: readonly ConsolePage[] = [
  { path: '/integrations', module: 'integrations', title: 'Integrations', section: 'integrations' },
  { path: '/integrations/:id', module: 'integration', title: 'Integration', section: 'integrations' },
  { path: '/services', module: 'services', title: 'Services', section: 'services' },
  { path: '/pulses', module: 'pulses', title: 'Pulses', section: 'pulses' },
  { path: '/command-runs', module: 'command-runs', title: 'Command runs', section: 'command-runs' },
  { path: '/command-runs/:id', module: 'command-run', title: 'Command run', section: 'command-runs' },
  { path: '/rollbacks', module: 'rollbacks', title: 'Rollbacks', section: 'rollbacks' },
  { path: '/rollbacks/:id', module: 'rollback', title: 'Rollback', section: 'rollbacks' },
  { path: '/sandbox', module: 'sandbox', title: 'Sandbox', section: 'sandbox', sandboxOnly: true },
];

const NAV: { section: NavSection; href: string; label: string; sandboxOnly?: boolean }[] = [
  { section: 'integrations', href: '/integrations', label: 'Integrations' },
  { section: 'services', href: '/services', label: 'Services' },
  { section: 'pulses', href: '/pulses', label: 'Pulses' },
  { section: 'command-runs', href: '/command-runs', label: 'Command runs' },
  { section: 'rollbacks', href: '/rollbacks', label: 'Rollbacks' },
  { section: 'sandbox', href: '/sandbox', label: 'Sandbox', sandboxOnly: true },
];

export interface AppShellOptions {
  page: ConsolePage;
  /** Route parameter (e.g. the integration id), handed to the page script. */
  id: string | undefined;
  csrfToken: string;
  sandbox: boolean;
  /** `<Temporal UI>/namespaces/<ns>/workflows`, when a Web UI is known. */
  temporalWorkflowsUrl: string | undefined;
}

/**
 * A signed-in page: header, navigation, sign-out form, and an empty `<main>` the page script
 * fills from the JSON API. The CSRF token travels in a meta tag (read by assets/js/api.js) and
 * in the sign-out form.
 */
export function appShell(options: AppShellOptions): string {
  const { page } = options;
  const head = html`<meta name="csrf-token" content="${options.csrfToken}">
<script type="module" src="/assets/js/main.js"></script>`;
  const bodyAttributes = html` data-page="${page.module}"${options.id === undefined ? '' : html` data-id="${options.id}"`}${
    options.temporalWorkflowsUrl ? html` data-temporal-workflows-url="${options.temporalWorkflowsUrl}"` : ''
  }${options.sandbox ? html` data-sandbox="true"` : ''}`;
  const body = html`${consoleHeader(page.section, options.csrfToken, options.sandbox)}
<main id="main" tabindex="-1">
  <h1>${page.title}</h1>
  <div id="page" aria-live="polite"><p class="muted">Loading…</p></div>
  <noscript><p class="notice notice-error">The console needs JavaScript. The same data is available from the HTTP API.</p></noscript>
</main>`;
  return htmlDocument({ title: page.title, head, bodyAttributes, body });
}

/** Skip link, header, navigation and sign-out form of every signed-in page (also the server-rendered ones). */
export function consoleHeader(section: NavSection, csrfToken: string, sandbox: boolean): SafeHtml {
  const nav = NAV.filter((n) => sandbox || !n.sandboxOnly).map((n) => html`<li><a href="${n.href}"${n.section === section ? html` aria-current="page"` : ''}>${n.label}</a></li>`);
  return html`<a class="skip-link" href="#main">Skip to content</a>
<header class="top-bar">
  <a class="brand" href="/integrations">dynopulse</a>
  <nav aria-label="Console sections"><ul>${nav}</ul></nav>
  <form class="sign-out" method="post" action="/sign-out">
    <input type="hidden" name="csrf" value="${csrfToken}">
    <button type="submit" class="button-quiet">Sign out</button>
  </form>
</header>
${sandbox ? sandboxBanner() : ''}`;
}

function sandboxBanner(): SafeHtml {
  return html`<p class="sandbox-banner" role="note"><strong>Sandbox</strong>: Heroku and Slack are simulated on this machine. <a href="/sandbox">Simulate deploys and see Slack</a></p>`;
}
