import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { scrubTokens } from '../log';

/**
 * Our own spans carry route templates, app names and ids only; this is the net under them (and
 * under what libraries add): attributes named like secrets are dropped, and token-shaped text
 * (Heroku, Slack, bearer tokens) is redacted, before anything leaves the process.
 */
const SECRET_KEY = /(authorization|token|secret|password|cookie|config_?var|output|body)/i;

export class ScrubbingSpanExporter implements SpanExporter {
  constructor(private readonly inner: SpanExporter) {}

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.inner.export(spans.map(scrub), done);
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}

function scrub(span: ReadableSpan): ReadableSpan {
  const attributes: ReadableSpan['attributes'] = {};
  for (const [key, value] of Object.entries(span.attributes)) {
    if (SECRET_KEY.test(key)) continue;
    attributes[key] = typeof value === 'string' ? scrubTokens(value) : value;
  }
  // ReadableSpan is an interface over the SDK's span; a shallow copy keeps every other field.
  return Object.assign(Object.create(Object.getPrototypeOf(span) as object) as ReadableSpan, span, { attributes, name: scrubTokens(span.name) });
}
