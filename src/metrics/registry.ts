import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/**
 * This process's own Prometheus metrics (the Temporal runtime's are merged in at scrape time, see
 * exposition.ts). One registry per process: the API, the worker, or both share it.
 *
 * Label values are small closed sets (route templates, status codes, outcomes): never an id, an
 * app name or anything a caller chooses freely, and never a secret.
 */
export const registry = new Registry();
collectDefaultMetrics({ register: registry });

export const httpRequests = new Counter({
  name: 'dynopulse_http_requests_total',
  help: 'HTTP requests answered by the API, by method, route template and status code.',
  labelNames: ['method', 'route', 'status'] as const,
  registers: [registry],
});

export const httpRequestDuration = new Histogram({
  name: 'dynopulse_http_request_duration_seconds',
  help: 'Time from receiving an HTTP request to sending its response, by method and route template.',
  labelNames: ['method', 'route'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [registry],
});

export const webhookDeliveries = new Counter({
  name: 'dynopulse_webhook_deliveries_total',
  help: 'Heroku webhook deliveries: accepted (stored), deduplicated (already stored), or rejected with the error code as reason.',
  labelNames: ['outcome', 'reason'] as const,
  registers: [registry],
});

export const webhookStoreGroupSize = new Histogram({
  name: 'dynopulse_webhook_store_group_size',
  help: 'Heroku deliveries stored by one statement and one commit (group commit): _sum / _count is the mean group size.',
  buckets: [1, 2, 4, 8, 16, 32, 64],
  registers: [registry],
});

export const commandRunsFinished = new Counter({
  name: 'dynopulse_command_runs_finished_total',
  help: 'Run Command on Heroku runs that ended, by final status.',
  labelNames: ['status'] as const,
  registers: [registry],
});

export const slackPosts = new Counter({
  name: 'dynopulse_slack_posts_total',
  help: 'Attempts to post a run\'s output to Slack: posted, failed (given up, reported on the run) or retry (left to Temporal to retry).',
  labelNames: ['outcome'] as const,
  registers: [registry],
});

export const herokuApiRequests = new Counter({
  name: 'dynopulse_heroku_api_requests_total',
  help: 'Heroku Platform API requests sent (retries included), by method and response status; network_error when none came.',
  labelNames: ['method', 'status'] as const,
  registers: [registry],
});
