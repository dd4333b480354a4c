import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Limits of the API's HTTP server. Node's defaults are generous (5 minutes for a request, timeouts
 * checked only every 30 s); these bound what one slow or oversized client can hold. Bodies are
 * bounded separately, by the JSON body parser (1 MB, 413).
 */
export interface HttpLimits {
  /** Time to receive the request line and all headers; a slow-loris header trickle gets 408 and is closed. */
  headersTimeoutMs: number;
  /** Time to receive the whole request, body included; a trickled body gets 408 and is closed. */
  requestTimeoutMs: number;
  /** How long an idle keep-alive connection stays open between requests. */
  keepAliveTimeoutMs: number;
  /** Request line plus headers, in bytes; larger gets 431. */
  maxHeaderSize: number;
  /** Requests served on one connection before it is closed (0: no limit). */
  maxRequestsPerSocket: number;
  /** How often the two request timeouts are checked (Node's default, 30 s, would let them overrun by that much). */
  connectionsCheckingIntervalMs: number;
}

export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  maxHeaderSize: 16 * 1024,
  maxRequestsPerSocket: 1_000,
  connectionsCheckingIntervalMs: 1_000,
};

/**
 * The Node HTTP server of the API, with explicit limits (`npm start` and the test stacks use the
 * same one). `handler` is the Koa app's callback; it may also be attached later with
 * `server.on('request', ...)` when the listening port must be known first.
 */
export function createHttpServer(handler?: http.RequestListener, limits: HttpLimits = DEFAULT_HTTP_LIMITS): http.Server {
  const server = http.createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      maxHeaderSize: limits.maxHeaderSize,
      connectionsCheckingInterval: limits.connectionsCheckingIntervalMs,
    },
    handler,
  );
  server.maxRequestsPerSocket = limits.maxRequestsPerSocket;
  return server;
}

/** Listens on `port` (0: a free one) and resolves with the bound port. */
export function listen(server: http.Server, port: number, host?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/**
 * Stops accepting connections at once and lets in-flight requests finish. Keep-alive connections
 * are closed as soon as they fall idle (a request arriving on one meanwhile is answered with
 * `Connection: close`); whatever still runs when the grace period ends (e.g. a followed output
 * stream) is cut.
 */
export function drainHttpServer(server: http.Server, graceMs: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const closeIdle = setInterval(() => server.closeIdleConnections(), 100);
    const cut = setTimeout(() => server.closeAllConnections(), graceMs);
    server.on('request', (_req: http.IncomingMessage, res: http.ServerResponse) => {
      if (!res.headersSent) res.setHeader('Connection', 'close');
    });
    server.close(() => {
      clearInterval(closeIdle);
      clearTimeout(cut);
      resolve();
    });
    server.closeIdleConnections();
  });
}
