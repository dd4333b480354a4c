// A simulated `git push` / GitHub deploy: the build and release records change state and the
// matching webhook events go out (heroku.md §4.5, §5.1, §5.2):
//   build   create  (pending)
//   build   update  (succeeded with slug{id,commit,commit_description} + release{id,version}, or failed)
//   release create  (pending, current:false, artifacts:[])                      ─┐ only when the
//  [release update  (succeeded, current:false)       ← release phase only]        │ build succeeded
//   release update  (succeeded, current:true, description "Deploy <sha[0..8]>") ─┘
// In the 2025 capture (ZULIP) the build `update` was published after the release events; pass
// `shuffle: [0, 2, 3, 1]` to reproduce that order.
import { randomBytes, randomUUID } from 'node:crypto';
import type { Account, App, Build, Release, Slug, WebhookEvent } from './model';
import { buildEventData, newEvent, releaseEventData } from './event-payloads';
import type { PlatformServices } from './routes/route-support';

export interface DeployOptions {
  /** The build fails: no slug, no release, no release events. */
  fail?: boolean;
  /** Commit SHA (40 hex); random by default. Becomes source_blob.version and slug.commit. */
  commit?: string;
  /** slug.commit_description; `""` like the captures by default. */
  commitDescription?: string;
  /** Account id of the deployer (actor, build.user, release.user); the app owner by default. */
  user?: string;
  /** Add the release-phase `update` (succeeded, current:false) before the final one (§4.5). */
  releasePhase?: boolean;
  /** Deliver every release event twice, byte for byte (Private Spaces, HELP-REL, §4.5). */
  duplicateReleaseEvents?: boolean;
  /** Release payloads carry `slug.commit: null` (§5.3 point 4): clients must GET the slug. */
  omitSlugCommit?: boolean;
  /** Publish the events out of order: `true` = a random order (never the logical one), or an explicit permutation of event indexes. */
  shuffle?: boolean | number[];
}

export interface DeployedEvent {
  readonly id: string;
  readonly include: string;
  readonly action: string;
  readonly status: string;
  readonly current?: boolean;
}

export interface DeploySummary {
  readonly appId: string;
  readonly appName: string;
  readonly status: 'succeeded' | 'failed';
  readonly buildId: string;
  readonly releaseId: string | null;
  readonly releaseVersion: number | null;
  readonly slugId: string | null;
  readonly commit: string;
  /** Event ids in logical order (build create, build update, release events). */
  readonly eventIds: string[];
  readonly events: DeployedEvent[];
  /** Event ids in the order they were published (differs with `shuffle`). */
  readonly publishedOrder: string[];
}

export function deploy(services: PlatformServices, app: App, options: DeployOptions = {}): DeploySummary {
  const { state } = services;
  const commit = options.commit ?? randomBytes(20).toString('hex');
  if (!/^[0-9a-f]{7,40}$/i.test(commit)) throw new Error(`commit must be a hex SHA, got ${JSON.stringify(commit)}`);
  const user = resolveUser(services, app, options.user);
  const actor = { id: user.id, email: user.email };
  const events: WebhookEvent[] = [];
  const described: DeployedEvent[] = [];
  const record = (event: WebhookEvent, status: string, current?: boolean): void => {
    events.push(event);
    described.push({ id: event.id, include: event.include, action: event.action, status, ...(current === undefined ? {} : { current }) });
  };

  const startedAt = new Date();
  const build: Build = {
    id: randomUUID(),
    appId: app.id,
    userId: user.id,
    commit,
    status: 'pending',
    slugId: null,
    releaseId: null,
    createdAt: startedAt,
    updatedAt: startedAt,
  };
  state.builds.set(build.id, build);
  record(newEvent({ app, include: 'api:build', action: 'create', actor, data: buildEventData(app, build, user, undefined, undefined) }), 'pending');

  let slug: Slug | undefined;
  let release: Release | undefined;
  if (options.fail) {
    build.status = 'failed';
    build.updatedAt = new Date();
    record(newEvent({ app, include: 'api:build', action: 'update', actor, data: buildEventData(app, build, user, undefined, undefined) }), 'failed');
  } else {
    // A Fir build (CNB) produces an OCI image, no slug (docs/heroku-fir.md).
    const ociImage = app.generation === 'fir' ? { id: randomUUID(), appId: app.id, commit, commitDescription: options.commitDescription ?? '', createdAt: new Date() } : undefined;
    if (ociImage) services.fir.state.ociImages.set(ociImage.id, ociImage);
    else {
      slug = { id: randomUUID(), appId: app.id, commit, commitDescription: options.commitDescription ?? '', createdAt: new Date() };
      state.slugs.set(slug.id, slug);
    }
    const createdAt = new Date();
    release = {
      id: randomUUID(),
      appId: app.id,
      version: state.nextReleaseVersion(app.id),
      description: `Deploy ${commit.slice(0, 8)}`,
      userId: user.id,
      slugId: slug?.id ?? null,
      ociImageId: ociImage?.id ?? null,
      status: 'pending',
      current: false,
      releasePhase: options.releasePhase ?? false,
      createdAt,
      updatedAt: createdAt,
    };
    state.releases.set(release.id, release);
    build.status = 'succeeded';
    build.slugId = slug?.id ?? null;
    build.releaseId = release.id;
    build.updatedAt = new Date();
    record(newEvent({ app, include: 'api:build', action: 'update', actor, data: buildEventData(app, build, user, slug, release) }), 'succeeded');

    const duplicate = options.duplicateReleaseEvents ?? false;
    const releaseData = (): Record<string, unknown> => releaseEventData(app, release as Release, user, slug, { omitSlugCommit: options.omitSlugCommit ?? false });
    record(newEvent({ app, include: 'api:release', action: 'create', actor, data: releaseData(), duplicate }), 'pending', false);
    if (options.releasePhase) {
      release.status = 'succeeded';
      release.updatedAt = new Date();
      record(newEvent({ app, include: 'api:release', action: 'update', actor, data: releaseData(), duplicate }), 'succeeded', false);
    }
    for (const previous of state.releasesOf(app.id)) previous.current = false;
    release.status = 'succeeded';
    release.current = true;
    release.updatedAt = new Date();
    app.releasedAt = release.updatedAt;
    app.updatedAt = release.updatedAt;
    record(newEvent({ app, include: 'api:release', action: 'update', actor, data: releaseData(), duplicate }), 'succeeded', true);
  }

  const order = publicationOrder(events.length, options.shuffle);
  for (const index of order) {
    const event = events[index];
    if (event) services.publish(event);
  }
  return {
    appId: app.id,
    appName: app.name,
    status: options.fail ? 'failed' : 'succeeded',
    buildId: build.id,
    releaseId: release?.id ?? null,
    releaseVersion: release?.version ?? null,
    slugId: slug?.id ?? null,
    commit,
    eventIds: events.map((e) => e.id),
    events: described,
    publishedOrder: order.map((i) => events[i]?.id ?? ''),
  };
}

function resolveUser(services: PlatformServices, app: App, userId: string | undefined): Account {
  const id = userId ?? app.ownerId;
  const user = services.state.accounts.get(id);
  if (!user) throw new Error(`unknown account ${id}`);
  return user;
}

/** Indexes 0..n-1 in publication order. */
function publicationOrder(n: number, shuffle: boolean | number[] | undefined): number[] {
  const logical = Array.from({ length: n }, (_, i) => i);
  if (Array.isArray(shuffle)) {
    const valid = shuffle.length === n && [...shuffle].sort((a, b) => a - b).every((v, i) => v === i);
    if (!valid) throw new Error(`shuffle must be a permutation of 0..${n - 1} (this deploy has ${n} events)`);
    return [...shuffle];
  }
  if (!shuffle || n < 2) return logical;
  const order = [...logical];
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  // "Out of order" must really be out of order: never hand back the logical sequence.
  if (order.every((v, i) => v === i)) order.reverse();
  return order;
}
