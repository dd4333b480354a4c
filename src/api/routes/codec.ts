import Router from '@koa/router';
import type { Payload } from '@temporalio/common';
import { z } from 'zod';
import { EncryptionCodec } from '../../temporal/encryption-codec';
import type { ApiContextExtras, ApiMiddleware, ApiState } from '../context';
import type { ApiDeps } from '../deps';
import { HttpError } from '../http-error';
import { adminAuth, type SessionAuthenticator } from '../middleware/admin-auth';
import type { AuthFailureLimiter } from '../middleware/auth-failure-limiter';
import { bodyOf } from '../middleware/body';

const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64');
/** The codec-server wire format of the Temporal Web UI and CLI (docs.temporal.io/codec-server). */
const codecBody = z.object({
  payloads: z.array(z.object({ metadata: z.record(z.string(), base64).nullish(), data: base64.nullish() })).max(1000),
});
type JsonPayload = z.infer<typeof codecBody>['payloads'][number];

const fromJson = (p: JsonPayload): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: Buffer.from(p.data ?? '', 'base64'),
});
const toJson = (p: Payload) => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
});

/**
 * CORS for the Temporal Web UI's origin only. Preflights carry no credentials, so they are
 * answered before authentication; the real request still needs the admin token or a session.
 */
function codecCors(allowedOrigins: string[]): ApiMiddleware {
  return async (ctx, next) => {
    const origin = ctx.get('origin');
    if (origin && allowedOrigins.includes(origin)) {
      ctx.set('Access-Control-Allow-Origin', origin);
      ctx.set('Access-Control-Allow-Credentials', 'true');
      ctx.set('Vary', 'Origin');
    }
    if (ctx.method === 'OPTIONS') {
      ctx.set('Access-Control-Allow-Methods', 'POST, OPTIONS');
      ctx.set('Access-Control-Allow-Headers', 'authorization, content-type, x-namespace');
      ctx.set('Access-Control-Max-Age', '600');
      ctx.status = 204;
      return;
    }
    await next();
  };
}

/** A session counts only on requests from the Web UI's origin (or with no Origin, e.g. curl). */
function fromOrigins(allowedOrigins: string[], sessions: SessionAuthenticator): SessionAuthenticator {
  return {
    authenticate: async (ctx) => {
      const origin = ctx.get('origin');
      return (origin === '' || allowedOrigins.includes(origin)) && sessions.authenticate(ctx);
    },
  };
}

/**
 * `POST /codec/encode` and `/codec/decode`: the remote codec the Temporal Web UI and
 * `temporal workflow show --codec-endpoint` call to read encrypted payloads. The admin token is
 * required, or a console session cookie (the Web UI's "Include cross-origin credentials").
 */
export function codecRoutes(deps: Pick<ApiDeps, 'config'>, auth: { sessions?: SessionAuthenticator; failures?: AuthFailureLimiter } = {}): Router<ApiState, ApiContextExtras> {
  const { encryptionKey, previousEncryptionKeys, temporal } = deps.config;
  const router = new Router<ApiState, ApiContextExtras>({ prefix: '/codec' });
  if (!encryptionKey) return router;
  const codec = new EncryptionCodec(encryptionKey, previousEncryptionKeys);
  const origins = temporal.uiUrl ? [new URL(temporal.uiUrl).origin] : [];

  router.use(codecCors(origins));
  const { sessions, failures } = auth;
  router.use(adminAuth(deps.config.adminApiToken, { ...(sessions ? { sessions: fromOrigins(origins, sessions) } : {}), ...(failures ? { failures } : {}) }));
  for (const op of ['encode', 'decode'] as const) {
    router.post(`/${op}`, async (ctx) => {
      const { payloads } = codecBody.parse(bodyOf(ctx));
      try {
        ctx.body = { payloads: (await codec[op](payloads.map(fromJson))).map(toJson) };
      } catch (err) {
        throw new HttpError(400, 'codec_error', `Cannot ${op} these payloads: ${(err as Error).message}`);
      }
    });
    router.options(`/${op}`, () => undefined);
  }
  return router;
}
