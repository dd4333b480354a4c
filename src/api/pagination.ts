import { z } from 'zod';
import type { ApiContext } from './context';
import { HttpError } from './http-error';

export const DEFAULT_PAGE_LIMIT = 50;
export const MAX_PAGE_LIMIT = 500;

/** `limit` and `cursor` of a list route's query string. */
export const pageQuerySchema = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_PAGE_LIMIT, `limit must be at most ${MAX_PAGE_LIMIT}`)
    .default(DEFAULT_PAGE_LIMIT),
  cursor: z.string().max(1000).optional(),
});

export interface Page<C> {
  limit: number;
  /** Where the previous page ended; undefined on the first page. */
  after: C | undefined;
}

/**
 * Keyset ("cursor") pagination for list routes (CONTRACT §3). The cursor holds the sort key of the
 * last item served, so a page is "the next `limit` items after that key": items arriving meanwhile
 * never shift or repeat what follows. Cursors are opaque to clients (base64url JSON).
 */
export function readPage<C>(query: z.infer<typeof pageQuerySchema>, cursorSchema: z.ZodType<C>): Page<C> {
  if (query.cursor === undefined) return { limit: query.limit, after: undefined };
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(query.cursor, 'base64url').toString('utf8'));
  } catch {
    decoded = undefined;
  }
  const parsed = cursorSchema.safeParse(decoded);
  if (!parsed.success) throw new HttpError(400, 'invalid_cursor', 'cursor is not a cursor this list handed out; start again without it');
  return { limit: query.limit, after: parsed.data };
}

/**
 * Answers one page. `rows` must have been fetched with `limit + 1` so we know whether more exist;
 * if so, a `Link: <url>; rel="next"` header (RFC 8288) carries the same query with the cursor of
 * the last item served.
 */
export function sendPage<Row, C>(ctx: ApiContext, page: Page<C>, rows: Row[], cursorOf: (row: Row) => C, render: (row: Row) => unknown): void {
  const served = rows.slice(0, page.limit);
  const last = served[served.length - 1];
  if (rows.length > page.limit && last !== undefined) {
    const params = new URLSearchParams(ctx.querystring);
    params.set('cursor', Buffer.from(JSON.stringify(cursorOf(last)), 'utf8').toString('base64url'));
    // protocol and host honour X-Forwarded-* (with TRUSTED_PROXY_HOPS > 0, the app runs with `proxy: true`); Koa 3's ctx.origin is the Origin header.
    ctx.set('Link', `<${ctx.protocol}://${ctx.host}${ctx.path}?${params.toString()}>; rel="next"`);
  }
  ctx.body = served.map(render);
}
