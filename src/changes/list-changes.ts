import type { Db } from '../db/knex';
import { CHANGE_KINDS, RELEASE_KINDS } from './change-kinds';
import type { ChangeRow } from './change-view';
import type { ChangesQuery } from './changes-query';

/** Sort key of "newest first" and page cursor, as for pulses: when it happened, then ingestion order. */
export interface ChangeCursor {
  occurredAt: string;
  seq: string;
}

/**
 * The changes (pulses of the eight kinds) of one org's app or service that happened in
 * (before − window, before], newest first, after `after`. The source is the pulses table, so a
 * change is exactly what the pulses show, linked to services the same way.
 *
 * rollbackTarget: for a release (deploy, config change, rollback) version N, the release N−1 of
 * the same app (by app id, which survives renames) when we recorded it, it succeeded and Heroku
 * did not say `eligible_for_rollback: false` in its payload (heroku.md §5.2); else null.
 */
export async function listChanges(db: Db, query: ChangesQuery, page: { limit: number; after: ChangeCursor | undefined }): Promise<ChangeRow[]> {
  const from = new Date(query.before.getTime() - query.windowMs);
  return (await changesOf(db, query.orgId)
    .andWhere('p.occurred_at', '>', from)
    .andWhere('p.occurred_at', '<=', query.before)
    .modify((q) => {
      if (query.app !== undefined) void q.andWhere('p.app_name', query.app);
      if (query.serviceId !== undefined) {
        void q.whereExists(db('pulse_services as f').where('f.pulse_id', db.ref('p.id')).andWhere('f.service_id', query.serviceId));
      }
      if (page.after !== undefined) void q.andWhereRaw('(p.occurred_at, p.seq) < (cast(? as timestamptz), cast(? as bigint))', [page.after.occurredAt, page.after.seq]);
    })
    .orderBy([
      { column: 'p.occurred_at', order: 'desc' },
      { column: 'p.seq', order: 'desc' },
    ])
    .limit(page.limit)) as ChangeRow[];
}

/** One change of an org by its pulse id (the console's page of a mark), or undefined. */
export async function getChange(db: Db, orgId: string, id: string): Promise<ChangeRow | undefined> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
  return ((await changesOf(db, orgId).andWhere('p.id', id)) as ChangeRow[])[0];
}

/** Every change of an org with its rollback target (the rule above); callers narrow it. */
export function changesOf(db: Db, orgId: string) {
  const serviceIds = db('pulse_services as ps').where('ps.pulse_id', db.ref('p.id')).select(db.raw(`coalesce(array_agg(ps.service_id order by ps.service_id), '{}')`));
  const rollbackTarget = db.raw(
    `case when p.kind = any(:kinds) and (p.data->>'version') ~ '^[0-9]{1,9}$' then (
       select prev.data->>'releaseId' from pulses prev
       left join heroku_webhook_events e on e.integration_id = prev.integration_id and e.event_id = prev.event_id
       where prev.integration_id = p.integration_id and prev.org_id = p.org_id and prev.kind = any(:kinds)
         and (prev.data->>'appId' = p.data->>'appId' or ((prev.data->>'appId' is null or p.data->>'appId' is null) and prev.app_name = p.app_name))
         and prev.data->>'version' = cast(cast(p.data->>'version' as integer) - 1 as text)
         and coalesce(prev.data->>'status', 'succeeded') = 'succeeded'
         and coalesce(e.payload->'data'->>'eligible_for_rollback', 'true') <> 'false'
       order by prev.occurred_at desc limit 1)
     end as rollback_target`,
    { kinds: [...RELEASE_KINDS] },
  );
  return db('pulses as p')
    .where('p.org_id', orgId)
    .whereIn('p.kind', [...CHANGE_KINDS])
    .select('p.id', 'p.kind', 'p.summary', 'p.app_name', 'p.data', 'p.occurred_at', 'p.seq', serviceIds.as('service_ids'), rollbackTarget);
}

export const changeCursorOf = (row: ChangeRow): ChangeCursor => ({ occurredAt: row.occurred_at.toISOString(), seq: String(row.seq) });
