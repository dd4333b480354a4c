import {
  connect as http2Connect,
  constants,
  createSecureServer,
  type ClientHttp2Session,
  type IncomingHttpHeaders,
  type OutgoingHttpHeaders,
  type ServerHttp2Session,
  type ServerHttp2Stream,
} from 'node:http2';

/** One gRPC call the proxy saw: its method, the caller's user agent and whether its key was right. */
export interface ProxiedCall {
  method: string;
  userAgent: string;
  authorized: boolean;
}

/**
 * What Temporal Cloud does with API keys, in front of the plain-text dev server: an HTTP/2 server
 * over TLS that forwards a gRPC call only when it carries `authorization: Bearer <key>`, and
 * answers every other call with gRPC status 16 (UNAUTHENTICATED), as a gRPC server does
 * (https://grpc.github.io/grpc/core/md_doc_statuscodes.html; trailers-only response,
 * https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md).
 */
export interface ApiKeyProxy {
  address: string;
  calls: ProxiedCall[];
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set([':authority', ':scheme', ':method', ':path', 'authorization', 'connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'host']);

export async function startApiKeyProxy(options: { upstream: string; apiKey: string; cert: string; key: string }): Promise<ApiKeyProxy> {
  const upstream: ClientHttp2Session = http2Connect(`http://${options.upstream}`);
  upstream.on('error', () => undefined);
  const calls: ProxiedCall[] = [];
  const server = createSecureServer({ cert: options.cert, key: options.key, allowHTTP1: false });
  const sessions = new Set<ServerHttp2Session>();
  server.on('session', (session: ServerHttp2Session) => {
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
  });
  server.on('stream', (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => {
    const method = String(headers[':path'] ?? '');
    const authorized = headers.authorization === `Bearer ${options.apiKey}`;
    calls.push({ method, userAgent: String(headers['user-agent'] ?? ''), authorized });
    stream.on('error', () => undefined);
    if (!authorized) {
      stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '16', 'grpc-message': 'invalid API key' }, { endStream: true });
      return;
    }
    const forwarded: OutgoingHttpHeaders = { ':method': 'POST', ':path': method };
    for (const [name, value] of Object.entries(headers)) if (!HOP_BY_HOP.has(name) && value !== undefined) forwarded[name] = value;
    const call = upstream.request(forwarded);
    call.on('error', () => stream.close(constants.NGHTTP2_INTERNAL_ERROR));
    stream.on('close', () => call.close());
    let trailers: IncomingHttpHeaders | undefined;
    call.on('trailers', (t) => (trailers = t));
    call.on('response', (response) => {
      const out: OutgoingHttpHeaders = {};
      for (const [name, value] of Object.entries(response)) if (value !== undefined && (name === ':status' || !name.startsWith(':'))) out[name] = value;
      // A trailers-only answer (an error status in the headers) ends the stream with them.
      const trailersOnly = response['grpc-status'] !== undefined;
      stream.respond(out, { endStream: trailersOnly, waitForTrailers: !trailersOnly });
      if (trailersOnly) return;
      stream.on('wantTrailers', () => {
        const t: OutgoingHttpHeaders = {};
        for (const [name, value] of Object.entries(trailers ?? { 'grpc-status': '0' })) if (value !== undefined && !name.startsWith(':')) t[name] = value;
        stream.sendTrailers(t);
      });
      call.pipe(stream);
    });
    stream.pipe(call);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    address: `127.0.0.1:${port}`,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Long polls would keep the server open: end every session now.
        for (const session of sessions) session.destroy();
        upstream.destroy();
      }),
  };
}
