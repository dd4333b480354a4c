import type Koa from 'koa';
import type { Logger } from '../log';

/** What our middleware adds to every Koa context. */
export interface ApiState {
  requestId: string;
  log: Logger;
  /** Fields a route adds to the request's one access-log line (e.g. what became of a webhook delivery). */
  accessLog?: Record<string, unknown>;
}

export interface ApiContextExtras {
  /** The exact request body bytes (webhook signatures are computed over these). */
  rawBody?: Buffer;
}

export type ApiContext = Koa.ParameterizedContext<ApiState, ApiContextExtras>;
export type ApiMiddleware = Koa.Middleware<ApiState, ApiContextExtras>;
