import type { ChangeKind } from './kinds/change-kinds';

/**
 * A pulse as an event describes it, before it is stored and linked to services; `D` is its kind's
 * data. Each kind's module builds its own (`PulseDraftOf<AddonPulseData>`); pulse-from-event.ts
 * names the union of them all.
 */
export interface PulseDraftOf<D> {
  kind: ChangeKind;
  dedupeKey: string;
  summary: string;
  labels: Record<string, string>;
  data: D;
  startedAt: Date;
  endedAt: Date | null;
  /** Set when the payload carried no commit: a workflow fetches it through the Platform API. */
  commitLookup: { releaseId: string; slugId: string | null } | null;
}

/** An app rename the integration must follow (watched app and service links). */
export interface AppRename {
  appId: string;
  from: string;
  to: string;
}
