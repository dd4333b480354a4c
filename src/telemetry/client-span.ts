import { SpanKind, SpanStatusCode, type Attributes } from '@opentelemetry/api';
import { tracer, tracingEnabled } from './tracing';

/**
 * A client span around one outgoing call (a Heroku Platform API request, a Slack method), child of
 * whatever is active (an activity, a request). With tracing off it is the API's no-op span.
 */
export async function withClientSpan<T>(name: string, attributes: Attributes, call: () => Promise<T>, statusOf?: (value: T) => number): Promise<T> {
  return tracer().startActiveSpan(name, { kind: SpanKind.CLIENT, attributes }, async (span) => {
    try {
      const value = await call();
      const status = statusOf?.(value);
      if (status !== undefined) {
        span.setAttribute('http.response.status_code', status);
        if (status >= 400) span.setStatus({ code: SpanStatusCode.ERROR });
      }
      return value;
    } catch (err) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.name : 'error' });
      throw err;
    } finally {
      span.end();
    }
  });
}

/** `/apps/my-app/dynos/1234` → `/apps/{app}/dynos/{id}`: span names stay few and free of ids. */
export function herokuRouteTemplate(path: string): string {
  return path
    .split('?')[0]!
    .split('/')
    .map((segment, i, all) => {
      if (i === 0 || segment === '') return segment;
      const parent = all[i - 1];
      if (parent === 'apps') return '{app}';
      return /^[0-9a-f-]{8,}$|^\d+$|^[\w.-]+@[\w.-]+$/i.test(segment) || (parent && ['dynos', 'releases', 'builds', 'webhooks', 'slugs', 'oci-images', 'keys', 'authorizations', 'addons', 'formation'].includes(parent)) ? '{id}' : segment;
    })
    .join('/');
}

/**
 * An internal step worth seeing in a trace (storing a delivery), child of the active span. With
 * tracing off the step runs as it is: on the webhook path even a no-op span's promises cost.
 */
export function withInternalSpan<T>(name: string, attributes: Attributes | (() => Attributes), step: () => Promise<T>): Promise<T> {
  if (!tracingEnabled()) return step();
  return tracer().startActiveSpan(name, { kind: SpanKind.INTERNAL, attributes: typeof attributes === 'function' ? attributes() : attributes }, async (span) => {
    try {
      return await step();
    } catch (err) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.name : 'error' });
      throw err;
    } finally {
      span.end();
    }
  });
}
