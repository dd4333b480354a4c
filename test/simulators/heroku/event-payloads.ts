// Webhook event payloads shaped like the real captures (heroku.md §4.3, §5.1, §5.2; ZULIP
// fixtures of 2025-05 and REAL-BUILD). They differ from the API representations: builds carry
// `metadata`, releases carry `app.process_tier`, `stack`, `pstable`, and both carry
// `slug{id, commit, commit_description}`.
import { randomUUID } from 'node:crypto';
import type { Account, App, Build, DynoRecord, Release, Slug, WebhookEvent } from './model';
import { buildOutputUrl, releaseOutputUrl, STACK } from './representations';
import { isoMicros, isoOffset, isoSeconds } from './timestamps';

/** Envelope timestamp format: builds `+00:00`, releases microseconds `Z`, others plain `Z` (§4.3). */
export type EnvelopeTimeStyle = 'offset' | 'micros' | 'seconds';

export function envelopeStyleFor(include: string): EnvelopeTimeStyle {
  if (include === 'api:build') return 'offset';
  if (include === 'api:release') return 'micros';
  return 'seconds';
}

export interface NewEvent {
  app: App;
  include: string;
  action: string;
  actor: { id: string; email: string };
  data: Record<string, unknown>;
  duplicate?: boolean;
  at?: Date;
}

let microsCounter = 0;

/** A fresh event (new id) with envelope timestamps in the format of its resource. */
export function newEvent(input: NewEvent): WebhookEvent {
  const at = input.at ?? new Date();
  const style = envelopeStyleFor(input.include);
  microsCounter = (microsCounter + 7) % 990;
  const created =
    style === 'offset' ? isoOffset(at) : style === 'micros' ? isoMicros(at, microsCounter) : isoSeconds(at);
  const updated =
    style === 'offset' ? isoOffset(at) : style === 'micros' ? isoMicros(at, microsCounter + 4) : isoSeconds(at);
  return {
    id: randomUUID(),
    appId: input.app.id,
    include: input.include,
    resource: input.include.replace(/^api:/, ''),
    action: input.action,
    actor: input.actor,
    data: input.data,
    createdAt: created,
    updatedAt: updated,
    publishedAt: isoSeconds(at),
    duplicate: input.duplicate ?? false,
    recordedAt: at,
  };
}

function slugRef(slug: Slug | undefined, omitCommit = false): Record<string, unknown> | null {
  if (!slug) return null;
  return { id: slug.id, commit: omitCommit ? null : slug.commit, commit_description: slug.commitDescription ?? '' };
}

/** `data` of an `api:build` event (§5.1): slug/release null until the build succeeded. */
export function buildEventData(app: App, build: Build, user: Account, slug: Slug | undefined, release: Release | undefined): Record<string, unknown> {
  return {
    id: build.id,
    app: { id: app.id, name: app.name },
    slug: build.status === 'succeeded' ? slugRef(slug) : null,
    user: { id: user.id, email: user.email },
    stack: STACK.name,
    status: build.status,
    release: build.status === 'succeeded' && release ? { id: release.id, version: release.version } : null,
    metadata: {},
    buildpacks: build.status === 'pending' ? [] : [{ url: 'https://buildpack-registry.s3.amazonaws.com/buildpacks/heroku/nodejs.tgz' }],
    created_at: isoSeconds(build.createdAt),
    updated_at: isoSeconds(build.updatedAt),
    source_blob: {
      url: `https://codeload.github.com/example/${app.name}/legacy.tar.gz/${build.commit}`,
      // §5.1: source_blob.version is the commit SHA for GitHub-integration builds.
      version: build.commit,
      checksum: null,
    },
    output_stream_url: buildOutputUrl(build),
  };
}

/** `data` of an `api:release` event (§5.2). */
export function releaseEventData(
  app: App,
  release: Release,
  user: Account,
  slug: Slug | undefined,
  options: { omitSlugCommit?: boolean; releasePhaseRunning?: boolean } = {},
): Record<string, unknown> {
  return {
    id: release.id,
    app: { id: app.id, name: app.name, process_tier: 'basic' },
    slug: slugRef(slug, options.omitSlugCommit),
    user: { id: user.id, email: user.email },
    stack: STACK.name,
    status: release.status,
    current: release.current,
    pstable: {},
    version: release.version,
    artifacts: release.status !== 'succeeded' ? [] : slug ? [{ id: slug.id, type: 'slug' }] : release.ociImageId ? [{ id: release.ociImageId, type: 'oci-image' }] : [],
    oci_image: release.ociImageId ? { id: release.ociImageId } : null,
    created_at: isoSeconds(release.createdAt),
    updated_at: isoSeconds(release.updatedAt),
    description: release.description,
    addon_plan_names: [],
    output_stream_url: release.releasePhase ? releaseOutputUrl(release) : null,
    eligible_for_rollback: release.status === 'succeeded',
  };
}

/**
 * `data` of an `api:dyno` `create` event (ZULIP dyno_create.json). `attach_url` is null, as in
 * the only example: whether it is populated for attached runs is unconfirmed (heroku.md §9.11),
 * and leaving it out keeps the Rendezvous secret off the wire.
 */
export function dynoEventData(app: App, dyno: DynoRecord, state: string): Record<string, unknown> {
  return {
    attach_url: null,
    command: dyno.command,
    created_at: isoSeconds(dyno.createdAt),
    id: dyno.id,
    name: dyno.name,
    app: { id: app.id, name: app.name },
    release: { id: dyno.releaseId, version: dyno.releaseVersion },
    size: dyno.size,
    state,
    type: dyno.type,
    updated_at: isoSeconds(dyno.createdAt),
  };
}
