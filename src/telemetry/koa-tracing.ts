import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { Middleware } from 'koa';
import { tracer } from './tracing';

/**
 * One server span per request, named by its route template (`POST /api/command-runs`, never the
 * concrete path with ids or tokens in it). Everything the request does (the workflow start, the
 * delivery's storage) runs inside it, so it becomes the trace's root. First in the chain.
 */
export function tracingMiddleware(): Middleware {
  return async (ctx, next) => {
    await tracer().startActiveSpan(ctx.method, { kind: SpanKind.SERVER, attributes: { 'http.request.method': ctx.method } }, async (span) => {
      try {
        await next();
      } finally {
        const route = (ctx as { _matchedRoute?: string | RegExp })._matchedRoute;
        const template = typeof route === 'string' ? route : 'unmatched route';
        span.updateName(`${ctx.method} ${template}`);
        span.setAttribute('http.route', template);
        span.setAttribute('http.response.status_code', ctx.status);
        if (ctx.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
      }
    });
  };
}
