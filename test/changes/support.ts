import { randomUUID } from 'node:crypto';
import type { ChangeView } from '../../src/changes/change-view';
import type { PulseDraft } from '../../src/pulses/pulse-from-event';
import { recordEvent } from '../../src/pulses/record-event';
import type { ConnectedIntegration } from '../support/fixtures';
import type { Stack } from '../support/stack';

export type ChangeJson = ChangeView;

export interface HandMadeChange {
  kind: string;
  summary: string;
  data: Record<string, unknown>;
  at: Date;
  /** The webhook event's `data` stored beside it (what Heroku would have sent). */
  payloadData?: Record<string, unknown>;
  resource?: string;
}

/**
 * Stores a change of a kind main does not produce yet (config, scaling, addon, maintenance,
 * rename: branch issue-21-kinds; rollback: issue-20-rollback) through the project's own pulse
 * store, recordEvent, exactly as a delivery would be stored. Builds and releases in these tests
 * come from real simulator deliveries instead.
 */
export async function recordHandMadeChange(stack: Stack, integration: ConnectedIntegration, app: string, change: HandMadeChange): Promise<string> {
  const row = (await stack.h.db('integration_apps').where({ integration_id: integration.integrationId, app_name: app }).first('webhook_secret_sealed')) as { webhook_secret_sealed: string } | undefined;
  if (!row) throw new Error(`app ${app} is not watched by ${integration.integrationId}`);
  // `rollback` (issue-20-rollback) is no watched kind yet: the recording statement would drop it.
  await stack.h.db.raw('update integrations set watched_kinds = array_append(watched_kinds, ?) where id = ? and not (? = any(watched_kinds))', [change.kind, integration.integrationId, change.kind]);
  const eventId = randomUUID();
  const resource = change.resource ?? change.kind;
  const body = { id: eventId, action: 'update', resource, created_at: change.at.toISOString(), data: change.payloadData ?? {} };
  const result = await recordEvent(stack.h.db, {
    integrationId: integration.integrationId,
    appName: app,
    verifiedWithSealedSecret: row.webhook_secret_sealed,
    eventId,
    resource,
    action: 'update',
    webhookId: randomUUID(),
    deliveryId: randomUUID(),
    rawBody: Buffer.from(JSON.stringify(body)),
    interpreted: {
      businessKey: `hand-made:${eventId}`,
      pulse: {
        // main's PulseDraft type knows only build | release; the column is text and takes every kind.
        kind: change.kind as PulseDraft['kind'],
        dedupeKey: `hand-made:${eventId}`,
        summary: change.summary,
        labels: { app, resource },
        data: { appName: app, eventId, ...change.data } as unknown as PulseDraft['data'],
        startedAt: change.at,
        endedAt: change.at,
        commitLookup: null,
      },
    },
  });
  if (result.outcome !== 'recorded' || result.pulseId === null) throw new Error(`hand-made ${change.kind} not stored: ${JSON.stringify(result)}`);
  return result.pulseId;
}
