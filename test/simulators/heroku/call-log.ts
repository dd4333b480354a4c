// The log of every Platform API / id.heroku.com request the simulator answered.
import type { SimulatedHost } from './faults';

export interface CallRecord {
  readonly host: SimulatedHost;
  readonly method: string;
  /** Path without the query string. */
  readonly path: string;
  readonly query: string;
  /** 0 when an injected fault reset the connection. */
  readonly status: number;
  /** The authenticated account, or null (unauthenticated / id.heroku.com before the exchange). */
  readonly accountId: string | null;
  readonly requestId: string;
  /** The request's Accept header (Fir's run-inside needs `version=3.run-inside`). */
  readonly accept?: string;
  readonly at: Date;
}
