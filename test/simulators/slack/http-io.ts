import type { IncomingMessage, ServerResponse } from 'node:http';

/** Reads the whole request body. */
export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Web API replies are always JSON (slack-liquid.md A8.1); Slack labels them
 * `application/json; charset=utf-8`.
 */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  send(res, status, JSON.stringify(body), { ...headers, 'Content-Type': 'application/json; charset=utf-8' });
}

export function sendText(res: ServerResponse, status: number, text: string, contentType = 'text/plain; charset=utf-8', headers: Record<string, string> = {}): void {
  send(res, status, text, { ...headers, 'Content-Type': contentType });
}

function send(res: ServerResponse, status: number, payload: string, headers: Record<string, string>): void {
  // The client may have given up (timeout) while a delayed reply was pending.
  if (res.writableEnded || res.destroyed) return;
  const body = Buffer.from(payload, 'utf8');
  res.writeHead(status, { ...headers, 'Content-Length': String(body.length) });
  res.end(body);
}

/** `type/subtype` in lower case, without parameters. */
export function mediaType(contentType: string | undefined): string | undefined {
  return contentType?.split(';')[0]?.trim().toLowerCase() || undefined;
}

/** The `charset` parameter of a `Content-Type`, lower-cased, if present. */
export function charsetOf(contentType: string | undefined): string | undefined {
  const match = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType ?? '');
  return match?.[1]?.toLowerCase();
}
