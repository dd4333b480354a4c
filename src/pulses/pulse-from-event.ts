import { buildStateKey, releasePulseKey, releaseStateKey } from './dedupe-keys';
import type { BuildData, HerokuEvent, ReleaseData } from './heroku-event';
import { addonPulse, addonStateKey, type AddonPulseData } from './kinds/addon-pulse';
import { appChange, appStateKey, type MaintenancePulseData, type RenamePulseData } from './kinds/app-pulse';
import { configChangeOf, describeConfigChange, type ConfigChange } from './kinds/config-change';
import type { PriorState } from './kinds/prior-state';
import { formationStateKey, scalingPulse, type ScalingPulseData } from './kinds/scaling-pulse';
import type { AppRename, PulseDraftOf } from './pulse-draft';
import { buildSummary, configSummary, releaseSummary, type BuildStatus } from './summaries';

export interface BuildPulseData {
  appName: string;
  appId: string | null;
  buildId: string;
  status: BuildStatus;
  commit: string | null;
  userEmail: string | null;
  /** The release a succeeded build created. */
  releaseVersion: number | null;
  eventId: string;
}

export interface ReleasePulseData {
  appName: string;
  appId: string | null;
  releaseId: string;
  version: number;
  status: string;
  description: string;
  /** null until looked up when the payload had none (see `commitLookup`). */
  commit: string | null;
  slugId: string | null;
  userEmail: string | null;
  eventId: string;
}

/** A config-var release: names only, never the description or anything else of the payload. */
export interface ConfigPulseData extends ConfigChange {
  appName: string;
  appId: string | null;
  releaseId: string;
  version: number;
  status: string;
  userEmail: string | null;
  eventId: string;
}

/** A pulse of any kind, as the event describes it (pulse-draft.ts). */
export type PulseDraft = PulseDraftOf<BuildPulseData | ReleasePulseData | ConfigPulseData | ScalingPulseData | AddonPulseData | MaintenancePulseData | RenamePulseData>;

/** What an accepted event amounts to: its business key (for dedupe) and the pulse it makes, if any. */
export interface InterpretedEvent {
  businessKey: string | null;
  pulse: PulseDraft | null;
  /** An app rename the integration must follow (watched app and service links), whether or not `rename` is watched. */
  rename?: AppRename | null;
}

const NO_PRIOR: PriorState = { data: null, monitoredName: null };

const BUILD_STATUSES: readonly string[] = ['pending', 'succeeded', 'failed'] satisfies BuildStatus[];

/**
 * Build events make one pulse per state (pending, succeeded, failed). Release events make one
 * pulse per release, from the final event only (`update`, `succeeded`, `current: true`), so the
 * create event, the release-phase update and duplicates make none whatever order they come in.
 * A final release whose description is a config-var change is a `config` pulse instead.
 * Formations, add-ons and apps compare with `prior` (see kinds/). Other resources (dynos, ...)
 * are recorded without a pulse.
 */
export function interpretEvent(event: HerokuEvent, receivedAt: Date, prior: PriorState = NO_PRIOR): InterpretedEvent {
  const fallbackTime = event.envelope.created_at ?? receivedAt;
  if (event.resource === 'build') {
    const { build } = event;
    return { businessKey: buildStateKey(build.id, build.status), pulse: buildPulse(build, event.envelope.id, fallbackTime) };
  }
  if (event.resource === 'release') {
    const { release, envelope } = event;
    const isFinal = envelope.action === 'update' && release.status === 'succeeded' && release.current;
    return {
      businessKey: releaseStateKey(release.id, envelope.action, release.status, release.current),
      pulse: isFinal ? (configPulse(release, envelope.id, fallbackTime) ?? releasePulse(release, envelope.id, fallbackTime)) : null,
    };
  }
  if (event.resource === 'formation') {
    return { businessKey: formationStateKey(event.formation, event.envelope.action), pulse: scalingPulse(event.envelope, event.formation, prior, fallbackTime) };
  }
  if (event.resource === 'addon') {
    return { businessKey: addonStateKey(event.addon, event.envelope.action), pulse: addonPulse(event.envelope, event.addon, prior, fallbackTime) };
  }
  if (event.resource === 'app') {
    const { pulse, rename } = appChange(event.envelope, event.app, prior, fallbackTime);
    return { businessKey: appStateKey(event.app, event.envelope.action), pulse, rename };
  }
  return { businessKey: null, pulse: null };
}

function buildPulse(build: BuildData, eventId: string, fallbackTime: Date): PulseDraft | null {
  if (!BUILD_STATUSES.includes(build.status)) return null;
  const status = build.status as BuildStatus;
  const startedAt = build.created_at ?? fallbackTime;
  return {
    kind: 'build',
    dedupeKey: buildStateKey(build.id, status),
    summary: buildSummary(build.app.name, status),
    labels: { app: build.app.name, resource: 'build', status },
    data: {
      appName: build.app.name,
      appId: build.app.id ?? null,
      buildId: build.id,
      status,
      // source_blob.version is known from the first (pending) event, so every pulse of a build agrees.
      commit: nonEmpty(build.source_blob?.version) ?? nonEmpty(build.slug?.commit),
      userEmail: build.user?.email ?? null,
      releaseVersion: build.release?.version ?? null,
      eventId,
    },
    startedAt,
    endedAt: status === 'pending' ? null : (build.updated_at ?? fallbackTime),
    commitLookup: null,
  };
}

function releasePulse(release: ReleaseData, eventId: string, fallbackTime: Date): PulseDraft {
  const commit = nonEmpty(release.slug?.commit);
  const description = nonEmpty(release.description) ?? `Deploy v${release.version}`;
  return {
    kind: 'release',
    dedupeKey: releasePulseKey(release.id),
    summary: releaseSummary(description),
    labels: { app: release.app.name, resource: 'release', status: release.status, version: `v${release.version}` },
    data: {
      appName: release.app.name,
      appId: release.app.id ?? null,
      releaseId: release.id,
      version: release.version,
      status: release.status,
      description,
      commit,
      slugId: release.slug?.id ?? null,
      userEmail: release.user?.email ?? null,
      eventId,
    },
    startedAt: release.created_at ?? fallbackTime,
    endedAt: release.updated_at ?? fallbackTime,
    commitLookup: commit === null ? { releaseId: release.id, slugId: release.slug?.id ?? null } : null,
  };
}

function configPulse(release: ReleaseData, eventId: string, fallbackTime: Date): PulseDraft | null {
  const change = configChangeOf(release.description);
  if (change === null) return null;
  return {
    kind: 'config',
    // The release's one pulse, like a deploy's: a release is one or the other.
    dedupeKey: releasePulseKey(release.id),
    summary: configSummary(release.app.name, describeConfigChange(change)),
    labels: { app: release.app.name, resource: 'release', status: release.status, version: `v${release.version}` },
    data: {
      appName: release.app.name,
      appId: release.app.id ?? null,
      releaseId: release.id,
      version: release.version,
      status: release.status,
      operation: change.operation,
      variables: change.variables,
      attachment: change.attachment,
      addon: change.addon,
      userEmail: release.user?.email ?? null,
      eventId,
    },
    startedAt: release.created_at ?? fallbackTime,
    endedAt: release.updated_at ?? fallbackTime,
    commitLookup: null,
  };
}

function nonEmpty(value: string | null | undefined): string | null {
  return value === undefined || value === null || value.trim() === '' ? null : value;
}
