import type { AppData, HerokuEnvelope } from '../heroku-event';
import type { AppRename, PulseDraftOf } from '../pulse-draft';
import { maintenanceSummary, renameSummary } from '../summaries';
import { before, type PriorState } from './prior-state';

export interface MaintenancePulseData {
  appName: string;
  appId: string;
  maintenance: boolean;
  userEmail: string | null;
  eventId: string;
}

export interface RenamePulseData {
  appName: string;
  appId: string;
  previousName: string;
  userEmail: string | null;
  eventId: string;
}

export const appStateKey = (a: AppData, action: string) => `app:${a.id}:${action}:${a.name}:${a.maintenance}:${a.updated_at?.toISOString() ?? ''}`;

/**
 * `api:app` update: a new name is a rename (its old name from previous_data, an earlier app
 * event, or the name we watch the app under); a changed `maintenance` flag is maintenance on or
 * off. Maintenance found on with nothing known before counts as switched on; found off with
 * nothing known before, it is only a baseline. One pulse per event: a rename wins.
 */
export function appChange(envelope: HerokuEnvelope, a: AppData, prior: PriorState, fallbackTime: Date): { pulse: PulseDraftOf<MaintenancePulseData | RenamePulseData> | null; rename: AppRename | null } {
  if (envelope.action !== 'update') return { pulse: null, rename: null };
  const at = a.updated_at ?? fallbackTime;
  const previous = envelope.previous_data;
  const nameBefore = before(previous, prior, (d) => d['name'], 'string', a.name) ?? prior.monitoredName;
  const userEmail = envelope.actor?.email ?? null;
  if (nameBefore !== null && nameBefore !== a.name) {
    return {
      rename: { appId: a.id, from: nameBefore, to: a.name },
      pulse: {
        kind: 'rename',
        dedupeKey: `app:${a.id}:rename:${nameBefore}:${a.name}:${at.toISOString()}`,
        summary: renameSummary(nameBefore, a.name),
        labels: { app: a.name, resource: 'app', previousName: nameBefore },
        data: { appName: a.name, appId: a.id, previousName: nameBefore, userEmail, eventId: envelope.id } satisfies RenamePulseData,
        startedAt: at,
        endedAt: at,
        commitLookup: null,
      },
    };
  }
  const maintenanceBefore = before(previous, prior, (d) => d['maintenance'], 'boolean', a.maintenance);
  const changed = maintenanceBefore === null ? a.maintenance : maintenanceBefore !== a.maintenance;
  if (!changed) return { pulse: null, rename: null };
  return {
    rename: null,
    pulse: {
      kind: 'maintenance',
      dedupeKey: `app:${a.id}:maintenance:${a.maintenance ? 'on' : 'off'}:${at.toISOString()}`,
      summary: maintenanceSummary(a.name, a.maintenance),
      labels: { app: a.name, resource: 'app', maintenance: a.maintenance ? 'on' : 'off' },
      data: { appName: a.name, appId: a.id, maintenance: a.maintenance, userEmail, eventId: envelope.id } satisfies MaintenancePulseData,
      startedAt: at,
      endedAt: at,
      commitLookup: null,
    },
  };
}
