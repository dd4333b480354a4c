import type { AddressInfo } from 'node:net';
import { createHttpServer, listen } from '../api/http-server';
import type { Logger } from '../log';
import { METRICS_CONTENT_TYPE, renderMetrics } from './exposition';

export interface MetricsServer {
  url: string;
  close(): Promise<void>;
}

/**
 * The listener on METRICS_ADDRESS: `GET /metrics` and nothing else, so a worker-only process can be
 * scraped and the API port need not expose metrics. Same server limits as the API's.
 */
export async function startMetricsServer(address: { host: string; port: number }, logger: Logger): Promise<MetricsServer> {
  const server = createHttpServer((req, res) => {
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
  const port = await listen(server, address.port, address.host);
  const { address: bound, family } = server.address() as AddressInfo;
  return {
    url: `http://${family === 'IPv6' ? `[${bound}]` : bound}:${port}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
