// Release rollback: `POST /apps/{app}/releases` with `{"release": "<id>"}` (Platform API
// reference, "Release Rollback"; the CLI's `releases:rollback` sends the release *id*, resolving a
// version first). Heroku makes a new release with the target's slug and config, described
// `Rollback to v<N>` (heroku.md §5.2), current at once (no build), and publishes its `api:release`
// events like any release: `create` (pending, not current), then `update` (succeeded, current).
// Errors: body without a release id → 422 invalid_params; unknown release → 404 not_found
// ("Couldn't find that release.", as GET /releases/{id} answers); a release that is not
// `eligible_for_rollback` (failed, pending, expired) → 422 invalid_params. The exact texts of the
// 422s are not documented [U]; clients must rely on the status and `id` only.
// Fir (docs/heroku-fir.md "Rollback"): the same call; the new release points at the target's OCI
// image (inferred, as a Cedar rollback carries the slug). A target whose artifact (OCI image or
// slug) was destroyed by the retention policy is `expired`, and "Rollback to expired releases is
// not supported" (changelog 3395): refused with 422 invalid_params carrying that sentence (the
// status, id and wording of Heroku's real refusal are inferred).
import { randomUUID } from 'node:crypto';
import type { Router } from '../http-kit';
import type { Release } from '../model';
import { invalidParams, notFound } from '../heroku-error';
import type { ApiHandler } from '../platform-api';
import { newEvent, releaseEventData } from '../event-payloads';
import { renderRelease } from '../representations';
import { requireScope, resolveApp, type PlatformServices } from './route-support';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function registerReleaseRoutes(router: Router<ApiHandler>, services: PlatformServices): void {
  const { state } = services;

  router.add('POST', '/apps/:app/releases', (request) => {
    // Changing what runs is a write; config vars come along but are not shown: `write` suffices.
    requireScope(request, 'write');
    const app = resolveApp(services, request, { write: true });
    const key = request.body['release'];
    if (typeof key !== 'string' || !UUID.test(key)) {
      throw invalidParams('Invalid params: release must be the id (uuid) of a release of this app; creating a release from a slug is not modeled by this simulator.');
    }
    const target = state.releasesOf(app.id).find((r) => r.id === key.toLowerCase());
    if (!target) throw notFound('release', "Couldn't find that release.");
    if (target.status === 'expired' || artifactGone(services, target)) {
      throw invalidParams(`Release v${target.version} is expired: its ${target.ociImageId ? 'OCI image' : 'slug'} was destroyed. Rollback to expired releases is not supported.`);
    }
    if (target.status !== 'succeeded') throw invalidParams(`Release v${target.version} is not eligible for rollback (status ${target.status}).`);

    const user = state.accounts.get(request.auth.account.id) ?? request.auth.account;
    const createdAt = new Date();
    const release: Release = {
      id: randomUUID(),
      appId: app.id,
      version: state.nextReleaseVersion(app.id),
      description: `Rollback to v${target.version}`,
      userId: user.id,
      slugId: target.slugId,
      ociImageId: target.ociImageId ?? null,
      status: 'pending',
      current: false,
      releasePhase: false,
      createdAt,
      updatedAt: createdAt,
    };
    state.releases.set(release.id, release);
    const slug = target.slugId ? state.slugs.get(target.slugId) : undefined;
    const actor = { id: user.id, email: user.email };
    services.publish(newEvent({ app, include: 'api:release', action: 'create', actor, data: releaseEventData(app, release, user, slug) }));
    for (const other of state.releasesOf(app.id)) other.current = false;
    release.status = 'succeeded';
    release.current = true;
    release.updatedAt = new Date();
    app.releasedAt = release.updatedAt;
    app.updatedAt = release.updatedAt;
    services.publish(newEvent({ app, include: 'api:release', action: 'update', actor, data: releaseEventData(app, release, user, slug) }));
    return { status: 201, body: renderRelease(state, release) };
  });
}

/** The retention policy destroyed the target's artifact (its status may not say so yet). */
function artifactGone(services: PlatformServices, target: Release): boolean {
  if (target.ociImageId) return !services.fir.state.ociImages.has(target.ociImageId);
  if (target.slugId) return !services.state.slugs.has(target.slugId);
  return false; // a release without an artifact (config only) rolls back its config
}
