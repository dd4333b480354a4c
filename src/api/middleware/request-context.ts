import { randomUUID } from 'node:crypto';
import type { Logger } from '../../log';
import type { ApiMiddleware } from '../context';

const VALID_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Gives each request an id (the caller's `X-Request-Id` when sane), a child logger, and one access-log line. */
export function requestContext(logger: Logger): ApiMiddleware {
  return async (ctx, next) => {
    const incoming = ctx.get('x-request-id');
    const requestId = VALID_REQUEST_ID.test(incoming) ? incoming : randomUUID();
    ctx.state.requestId = requestId;
    ctx.state.log = logger.child({ requestId });
    ctx.set('X-Request-Id', requestId);
    const started = performance.now();
    try {
      await next();
    } finally {
      const level = ctx.status >= 500 ? 'error' : 'info';
      // The path only: query strings can carry OAuth codes and states.
      ctx.state.log[level]({ method: ctx.method, path: ctx.path, status: ctx.status, ms: Math.round(performance.now() - started) }, 'request');
    }
  };
}
