import type { Db } from '../db/knex';

/** A pulse as the API shows it (CONTRACT §3). */
export interface PulseView {
  id: string;
  source: string;
  summary: string;
  labels: Record<string, string>;
  serviceIds: string[];
  startedAt: string;
  endedAt: string | null;
  data: Record<string, unknown>;
}

/**
 * Sort key of "newest first", also the page cursor: when it happened, then ingestion order.
 * occurred_at is only ever written from JS Dates, so millisecond ISO strings carry it exactly.
 */
export interface PulseCursor {
  occurredAt: string;
  seq: string;
}

export interface PulseFilter {
  orgId: string;
  app?: string | undefined;
  serviceId?: string | undefined;
}

export interface PulseRow {
  id: string;
  source: string;
  summary: string;
  labels: Record<string, string>;
  data: Record<string, unknown>;
  started_at: Date;
  ended_at: Date | null;
  occurred_at: Date;
  seq: string;
  service_ids: string[];
}

/** Up to `limit` pulses of one org, newest first, after `after` (keyset pagination). */
export async function listPulses(db: Db, filter: PulseFilter, page: { limit: number; after: PulseCursor | undefined }): Promise<PulseRow[]> {
  const serviceIds = db('pulse_services as ps').where('ps.pulse_id', db.ref('p.id')).select(db.raw(`coalesce(array_agg(ps.service_id order by ps.service_id), '{}')`));
  return (await db('pulses as p')
    .where('p.org_id', filter.orgId)
    .modify((q) => {
      if (filter.app !== undefined) void q.andWhere('p.app_name', filter.app);
      if (filter.serviceId !== undefined) {
        void q.whereExists(db('pulse_services as f').where('f.pulse_id', db.ref('p.id')).andWhere('f.service_id', filter.serviceId));
      }
      if (page.after !== undefined) void q.andWhereRaw('(p.occurred_at, p.seq) < (cast(? as timestamptz), cast(? as bigint))', [page.after.occurredAt, page.after.seq]);
    })
    .orderBy([
      { column: 'p.occurred_at', order: 'desc' },
      { column: 'p.seq', order: 'desc' },
    ])
    .limit(page.limit)
    .select('p.id', 'p.source', 'p.summary', 'p.labels', 'p.data', 'p.started_at', 'p.ended_at', 'p.occurred_at', 'p.seq', serviceIds.as('service_ids'))) as PulseRow[];
}

export const pulseCursorOf = (row: PulseRow): PulseCursor => ({ occurredAt: row.occurred_at.toISOString(), seq: String(row.seq) });

export const pulseView = (row: PulseRow): PulseView => ({
  id: row.id,
  source: row.source,
  summary: row.summary,
  labels: row.labels,
  serviceIds: row.service_ids,
  startedAt: row.started_at.toISOString(),
  endedAt: row.ended_at === null ? null : row.ended_at.toISOString(),
  data: row.data,
});
