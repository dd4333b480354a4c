import getRawBody from 'raw-body';
import { HttpError } from '../http-error';
import type { ApiContext, ApiMiddleware } from '../context';

/**
 * Reads the body once, keeps the exact bytes on `ctx.rawBody` (webhook signatures need them),
 * and parses JSON into `ctx.request.body`. Oversized bodies get 413 before they are buffered.
 */
export function jsonBody(options: { limitBytes: number }): ApiMiddleware {
  return async (ctx, next) => {
    if (!['POST', 'PUT', 'PATCH', 'DELETE'].includes(ctx.method) || !hasBody(ctx)) {
      await next();
      return;
    }
    ctx.rawBody = await getRawBody(ctx.req, { limit: options.limitBytes, length: ctx.get('content-length') || undefined });
    if (ctx.rawBody.length > 0) {
      if (!ctx.is('application/json', '+json')) {
        throw new HttpError(415, 'unsupported_media_type', 'Request bodies must be JSON (Content-Type: application/json)');
      }
      try {
        (ctx.request as { body?: unknown }).body = JSON.parse(ctx.rawBody.toString('utf8'));
      } catch {
        throw new HttpError(400, 'invalid_json', 'The request body is not valid JSON');
      }
    }
    await next();
  };
}

function hasBody(ctx: ApiContext): boolean {
  return ctx.get('transfer-encoding') !== '' || Number(ctx.get('content-length') || 0) > 0;
}

/** The parsed JSON body (validate it with zod before use). */
export function bodyOf(ctx: ApiContext): unknown {
  return (ctx.request as { body?: unknown }).body;
}
