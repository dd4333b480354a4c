import type { AddonData, HerokuEnvelope } from '../heroku-event';
import type { PulseDraftOf } from '../pulse-draft';
import { addonSummary } from '../summaries';
import { before, type PriorState } from './prior-state';

export interface AddonPulseData {
  appName: string;
  appId: string | null;
  addonId: string;
  addonName: string;
  service: string;
  change: 'created' | 'plan_changed' | 'destroyed';
  planBefore: string | null;
  plan: string;
  userEmail: string | null;
  eventId: string;
}

export const addonStateKey = (a: AddonData, action: string) =>
  `addon:${a.id}:${action}:${a.plan.name}:${a.state ?? ''}:${a.updated_at?.toISOString() ?? ''}`;

/**
 * `api:addon` created, plan changed, destroyed (service and plan names only: an add-on's
 * `config_vars` lists names and is not copied either). Updates also report provisioning states
 * and renames: only a plan that differs from the known one is a change; with no earlier plan
 * known the update becomes the baseline and makes no pulse.
 */
export function addonPulse(envelope: HerokuEnvelope, a: AddonData, prior: PriorState, fallbackTime: Date): PulseDraftOf<AddonPulseData> | null {
  const at = a.updated_at ?? fallbackTime;
  let change: AddonPulseData['change'];
  let planBefore: string | null = null;
  let text: string;
  if (envelope.action === 'create') {
    change = 'created';
    text = `${a.plan.name} created`;
  } else if (envelope.action === 'destroy') {
    change = 'destroyed';
    text = `${a.plan.name} destroyed`;
  } else {
    planBefore = before(envelope.previous_data, prior, (d) => (d['plan'] as { name?: unknown } | undefined)?.name, 'string', a.plan.name);
    if (planBefore === null || planBefore === a.plan.name) return null;
    change = 'plan_changed';
    text = `${planBefore} → ${a.plan.name}`;
  }
  return {
    kind: 'addon',
    dedupeKey: change === 'plan_changed' ? `addon:${a.id}:plan:${a.plan.name}:${at.toISOString()}` : `addon:${a.id}:${change}`,
    summary: addonSummary(a.app.name, text),
    labels: { app: a.app.name, resource: 'addon', service: a.addon_service.name },
    data: {
      appName: a.app.name,
      appId: a.app.id ?? null,
      addonId: a.id,
      addonName: a.name,
      service: a.addon_service.name,
      change,
      planBefore,
      plan: a.plan.name,
      userEmail: envelope.actor?.email ?? null,
      eventId: envelope.id,
    } satisfies AddonPulseData,
    startedAt: at,
    endedAt: at,
    commitLookup: null,
  };
}
