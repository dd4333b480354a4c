import type { Db } from '../db/knex';

/** A service of the incident platform, with the Heroku App Name its pulses are matched on. */
export interface Service {
  id: string;
  orgId: string;
  name: string;
  herokuAppName: string | null;
}

interface ServiceRow {
  id: string;
  org_id: string;
  name: string;
  heroku_app_name: string | null;
}

export const serviceFromRow = (row: ServiceRow): Service => ({ id: row.id, orgId: row.org_id, name: row.name, herokuAppName: row.heroku_app_name });

export type PutServiceResult = { outcome: 'created' | 'updated'; service: Service; relinkedPulses?: number } | { outcome: 'other_org'; orgId: string };

/**
 * Creates or replaces a service. A service stays in the org it was created in (its pulse links
 * are org-scoped). Existing pulses keep their links unless `relinkPulses` is set: then the
 * service is linked to exactly the org's pulses of its (new) Heroku App Name.
 */
export async function putService(db: Db, service: Service, options: { relinkPulses: boolean }): Promise<PutServiceResult> {
  return db.transaction(async (trx) => {
    const rows = (
      await trx.raw<{ rows: (ServiceRow & { created: boolean })[] }>(
        `insert into services (id, org_id, name, heroku_app_name) values (:id, :orgId, :name, :herokuAppName)
         on conflict (id) do update set name = excluded.name, heroku_app_name = excluded.heroku_app_name, updated_at = now()
           where services.org_id = excluded.org_id
         returning id, org_id, name, heroku_app_name, (xmax = 0) as created`,
        { ...service },
      )
    ).rows;
    const row = rows[0];
    if (!row) {
      const existing = (await trx('services').where({ id: service.id }).first('org_id')) as { org_id: string } | undefined;
      return { outcome: 'other_org', orgId: existing?.org_id ?? '' };
    }
    const result: PutServiceResult = { outcome: row.created ? 'created' : 'updated', service: serviceFromRow(row) };
    if (options.relinkPulses) result.relinkedPulses = await relinkServicePulses(trx, service);
    return result;
  });
}

async function relinkServicePulses(trx: Db, service: Service): Promise<number> {
  await trx('pulse_services').where({ service_id: service.id }).delete();
  if (service.herokuAppName === null) return 0;
  const inserted = await trx.raw<{ rowCount: number }>(
    `insert into pulse_services (pulse_id, service_id)
     select p.id, :serviceId from pulses p where p.org_id = :orgId and p.app_name = :appName`,
    { serviceId: service.id, orgId: service.orgId, appName: service.herokuAppName },
  );
  return inserted.rowCount;
}

/** One page of an org's services, by id. */
export async function listServices(db: Db, orgId: string, page: { limit: number; afterId: string | undefined }): Promise<Service[]> {
  const rows = (await db('services')
    .where({ org_id: orgId })
    .modify((q) => {
      if (page.afterId !== undefined) void q.andWhere('id', '>', page.afterId);
    })
    .orderBy('id')
    .limit(page.limit)
    .select('id', 'org_id', 'name', 'heroku_app_name')) as ServiceRow[];
  return rows.map(serviceFromRow);
}
