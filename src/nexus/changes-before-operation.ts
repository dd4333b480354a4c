import * as nexus from 'nexus-rpc';
import { z } from 'zod';
import { changeView, type ChangeView } from '../changes/change-view';
import { parseChangesQuery } from '../changes/changes-query';
import { listChanges } from '../changes/list-changes';
import type { Db } from '../db/knex';
import type { ChangesBeforeRequest } from './service';

/** The most changes one synchronous answer carries (the API's page maximum): the newest of the window. */
export const CHANGES_BEFORE_MAX = 500;

/**
 * `changesBefore`: the same query as GET /api/changes, answered synchronously from PostgreSQL in
 * the Nexus worker (no workflow). A bad input is a BAD_REQUEST with the API's message.
 */
export function changesBeforeOperation(db: Db): nexus.SyncOperationHandler<ChangesBeforeRequest, ChangeView[]> {
  return async (_ctx, request) => {
    let query;
    try {
      query = parseChangesQuery(request);
    } catch (err) {
      if (!(err instanceof z.ZodError)) throw err;
      throw new nexus.HandlerError('BAD_REQUEST', err.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; '));
    }
    return (await listChanges(db, query, { limit: CHANGES_BEFORE_MAX, after: undefined })).map(changeView);
  };
}
