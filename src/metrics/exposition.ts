import { temporalRuntimeMetricsUrl } from '../temporal/runtime';
import { registry } from './registry';

/** The Prometheus text format (0.0.4), which both prom-client and Temporal Core's exporter write. */
export const METRICS_CONTENT_TYPE = registry.contentType;

/** A scrape must not hang on the Runtime's exporter: it is local, so this is generous. */
const RUNTIME_SCRAPE_TIMEOUT_MS = 2_000;

/**
 * The whole `/metrics` text: this process's metrics (registry.ts) followed by the Temporal
 * Runtime's, scraped from its loopback exporter. Both are the same text format and their names do
 * not overlap (`dynopulse_*`, `process_*`, `nodejs_*` vs `temporal_*`), so concatenation is a valid
 * exposition. When the Runtime's exporter does not answer, our part is still served, with a comment.
 */
export async function renderMetrics(): Promise<string> {
  const own = await registry.metrics();
  const url = temporalRuntimeMetricsUrl();
  if (!url) return own;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(RUNTIME_SCRAPE_TIMEOUT_MS) });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const runtime = await res.text();
    return `${own.endsWith('\n') ? own : `${own}\n`}${runtime}`;
  } catch (err) {
    return `${own}\n# Temporal runtime metrics unavailable: ${(err as Error).message.replace(/\s+/g, ' ')}\n`;
  }
}
