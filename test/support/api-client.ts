import type http from 'node:http';
import type Koa from 'koa';
import { createHttpServer, listen } from '../../src/api/http-server';

/** A local HTTP server on a random port (a Koa app for one test file, or a plain handler), with the API's limits. */
export async function serve(app: Koa<never, never> | { callback(): http.RequestListener } | http.RequestListener): Promise<{ url: string; close(): Promise<void> }> {
  const server = createHttpServer(typeof app === 'function' ? app : app.callback());
  const port = await listen(server, 0, '127.0.0.1');
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
