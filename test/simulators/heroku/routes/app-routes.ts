// Apps and what hangs off them that a client reads: config vars, releases, slugs
// (heroku.md §1, §5.2, §5.3).
import type { Router } from '../http-kit';
import type { App, Release } from '../model';
import { notFound } from '../heroku-error';
import type { ApiHandler } from '../platform-api';
import { renderApp, renderRelease, renderSlug } from '../representations';
import { listResponse, requireScope, resolveApp, type PlatformServices } from './route-support';

export function registerAppRoutes(router: Router<ApiHandler>, services: PlatformServices): void {
  const { state } = services;

  router.add('GET', '/apps', (request) => {
    requireScope(request, 'read');
    return listResponse<App>(
      services,
      request,
      state.appsOf(request.auth.account),
      [
        { name: 'id', value: (a) => a.id },
        { name: 'name', value: (a) => a.name },
        { name: 'updated_at', value: (a) => a.updatedAt.toISOString() },
      ],
      (app) => renderApp(state, app),
    );
  });

  router.add('GET', '/apps/:app', (request) => {
    requireScope(request, 'read');
    return { status: 200, body: renderApp(state, resolveApp(services, request, { write: false })) };
  });

  router.add('GET', '/apps/:app/config-vars', (request) => {
    // Config vars are "runtime secrets": read-protected or better (heroku.md §2 "Scope values").
    requireScope(request, 'read-protected');
    const app = resolveApp(services, request, { write: false });
    return { status: 200, body: Object.fromEntries(app.configVars) };
  });

  router.add('GET', '/apps/:app/releases', (request) => {
    requireScope(request, 'read');
    const app = resolveApp(services, request, { write: false });
    return listResponse<Release>(
      services,
      request,
      state.releasesOf(app.id),
      [
        { name: 'id', value: (r) => r.id },
        { name: 'version', value: (r) => r.version },
      ],
      (release) => renderRelease(state, release),
    );
  });

  router.add('GET', '/apps/:app/releases/:release', (request) => {
    requireScope(request, 'read');
    const app = resolveApp(services, request, { write: false });
    const key = request.params['release'] ?? '';
    const release = state
      .releasesOf(app.id)
      .find((r) => r.id === key.toLowerCase() || (/^\d+$/.test(key) && r.version === Number(key)));
    if (!release) throw notFound('release', "Couldn't find that release.");
    return { status: 200, body: renderRelease(state, release) };
  });

  router.add('GET', '/apps/:app/slugs/:slug', (request) => {
    requireScope(request, 'read');
    const app = resolveApp(services, request, { write: false });
    const slug = state.slugs.get((request.params['slug'] ?? '').toLowerCase());
    if (!slug || slug.appId !== app.id) throw notFound('slug', "Couldn't find that slug.");
    return { status: 200, body: renderSlug(slug) };
  });
}
