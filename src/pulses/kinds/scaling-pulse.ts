import type { FormationData, HerokuEnvelope } from '../heroku-event';
import type { PulseDraftOf } from '../pulse-draft';
import { scalingSummary } from '../summaries';
import { before, type PriorState } from './prior-state';

export interface ScalingPulseData {
  appName: string;
  appId: string | null;
  formationId: string;
  processType: string;
  quantityBefore: number | null;
  quantity: number;
  sizeBefore: string | null;
  size: string;
  userEmail: string | null;
  eventId: string;
}

export const formationStateKey = (f: FormationData, action: string) =>
  `formation:${f.id}:${action}:${f.quantity}:${f.size}:${f.updated_at?.toISOString() ?? ''}`;

/**
 * `api:formation` create / update / destroy: quantity and size before → after. A create starts
 * from 0 and a destroy ends at 0; an update that changed neither (e.g. only the command) makes no
 * pulse. A quantity before that nothing tells us shows as `?`; an unknown size before shows as the size now.
 */
export function scalingPulse(envelope: HerokuEnvelope, f: FormationData, prior: PriorState, fallbackTime: Date): PulseDraftOf<ScalingPulseData> | null {
  const previous = envelope.previous_data;
  const quantityBefore = envelope.action === 'create' ? 0 : before(previous, prior, (d) => d['quantity'], 'number', f.quantity);
  const sizeBefore = envelope.action === 'create' ? f.size : before(previous, prior, (d) => d['size'], 'string', f.size);
  const quantity = envelope.action === 'destroy' ? 0 : f.quantity;
  if (quantityBefore === quantity && sizeBefore === f.size) return null;
  const at = f.updated_at ?? fallbackTime;
  return {
    kind: 'scaling',
    dedupeKey: formationStateKey(f, envelope.action),
    summary: scalingSummary(f.app.name, f.type, { before: quantityBefore, after: quantity }, { before: sizeBefore ?? f.size, after: f.size }),
    labels: { app: f.app.name, resource: 'formation', processType: f.type },
    data: {
      appName: f.app.name,
      appId: f.app.id ?? null,
      formationId: f.id,
      processType: f.type,
      quantityBefore,
      quantity,
      sizeBefore,
      size: f.size,
      userEmail: envelope.actor?.email ?? null,
      eventId: envelope.id,
    } satisfies ScalingPulseData,
    startedAt: at,
    endedAt: at,
    commitLookup: null,
  };
}
