import { z } from 'zod';
import { HttpError } from '../http-error';
import type { ApiMiddleware } from '../context';

/**
 * The one error-handling middleware: every failure leaves as `{"error": {"code", "message"}}`.
 * Unexpected errors are logged with their stack and answered with a generic 500, never the
 * internal message (it may quote a token or SQL).
 */
export function errorHandler(): ApiMiddleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        throw new HttpError(404, 'not_found', `No route for ${ctx.method} ${ctx.path}`);
      }
    } catch (err) {
      const { status, code, message, headers } = describe(err);
      if (status >= 500) ctx.state.log?.error({ err }, 'request failed');
      ctx.status = status;
      for (const [k, v] of Object.entries(headers)) ctx.set(k, v);
      ctx.body = { error: { code, message } };
    }
  };
}

function describe(err: unknown): { status: number; code: string; message: string; headers: Record<string, string> } {
  if (err instanceof HttpError) return { status: err.status, code: err.code, message: err.message, headers: err.headers };
  if (err instanceof z.ZodError) {
    const message = err.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ');
    return { status: 400, code: 'invalid_request', message, headers: {} };
  }
  // Errors raised by Koa itself or by raw-body (413, 415, 400 on bad encoding...).
  const e = err as { status?: unknown; expose?: unknown; message?: unknown; type?: unknown };
  if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
    const code = e.status === 413 ? 'payload_too_large' : e.status === 415 ? 'unsupported_media_type' : 'bad_request';
    return { status: e.status, code, message: e.expose && typeof e.message === 'string' ? e.message : 'Bad request', headers: {} };
  }
  return { status: 500, code: 'internal', message: 'Internal error; see the server logs for the request id', headers: {} };
}
