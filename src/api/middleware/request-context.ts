import { randomUUID } from 'node:crypto';
import { withLogContext, type Logger } from '../../log';
import { observeHttpRequest } from '../../metrics/http-requests';
import type { ApiMiddleware } from '../context';

const VALID_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Gives each request an id (the caller's `X-Request-Id` when sane) that every log line written
 * while serving it carries, one access-log line (with the fields the route put in
 * `ctx.state.accessLog`), and its metrics (count and duration by route).
 */
export function requestContext(logger: Logger): ApiMiddleware {
  return async (ctx, next) => {
    const incoming = ctx.get('x-request-id');
    const requestId = VALID_REQUEST_ID.test(incoming) ? incoming : randomUUID();
    ctx.state.requestId = requestId;
    // Bound as well, for lines written after the request's async context (a streamed body);
    // made on first use, since most requests (every webhook delivery) never log but their access line.
    let child: Logger | undefined;
    Object.defineProperty(ctx.state, 'log', { configurable: true, enumerable: true, get: () => (child ??= logger.child({ requestId })) });
    ctx.set('X-Request-Id', requestId);
    const started = performance.now();
    await withLogContext({ requestId }, async () => {
      try {
        await next();
      } finally {
        const ms = performance.now() - started;
        observeHttpRequest(ctx, ms / 1000);
        const level = ctx.status >= 500 ? 'error' : 'info';
        // The path only: query strings can carry OAuth codes and states. The route's own fields
        // first, so they can never overwrite what the access line itself says.
        // Written inside the context, which gives it the requestId.
        logger[level]({ ...ctx.state.accessLog, method: ctx.method, path: ctx.path, status: ctx.status, ms: Math.round(ms) }, 'request');
      }
    });
  };
}
