import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../log';
import { METRICS_CONTENT_TYPE, renderMetrics } from './exposition';

export interface MetricsServer {
  url: string;
  close(): Promise<void>;
}

/**
 * The listener on METRICS_ADDRESS: `GET /metrics` and nothing else, so a worker-only process can be
 * scraped and the API port need not expose metrics.
 */
export async function startMetricsServer(address: { host: string; port: number }, logger: Logger): Promise<MetricsServer> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found: metrics are served at GET /metrics\n');
      return;
    }
    renderMetrics().then(
      (text) => res.writeHead(200, { 'Content-Type': METRICS_CONTENT_TYPE }).end(req.method === 'HEAD' ? undefined : text),
      (err: unknown) => {
        logger.error({ err }, 'rendering metrics failed');
        res.writeHead(500, { 'Content-Type': 'text/plain' }).end('metrics unavailable\n');
      },
    );
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(address.port, address.host, () => resolve());
  });
  const bound = server.address() as AddressInfo;
  const host = bound.family === 'IPv6' ? `[${bound.address}]` : bound.address;
  return {
    url: `http://${host}:${bound.port}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
