import { z } from 'zod';

/**
 * Runtime configuration, read once from the environment (CONTRACT §2) and validated at start-up.
 * Every problem is reported as one readable line; nothing downstream re-reads process.env.
 */
export interface Config {
  port: number;
  publicUrl: string;
  /** Unset: `npm start` runs an embedded PostgreSQL under `dataDir`. */
  databaseUrl: string | undefined;
  temporal: {
    /** Unset: `npm start` runs a Temporal dev server under `dataDir`. */
    address: string | undefined;
    namespace: string;
    taskQueue: string;
    /** Where SREs open the Web UI; derived for the embedded dev server. */
    uiUrl: string | undefined;
    /** Worker Deployment Versioning (TEMPORAL_DEPLOYMENT_NAME + TEMPORAL_WORKER_BUILD_ID); unset: unversioned. */
    deployment: { name: string; buildId: string } | undefined;
  };
  heroku: {
    oauthId: string | undefined;
    oauthSecret: string | undefined;
    oauthScope: string;
    apiUrl: string;
    idUrl: string;
  };
  slack: {
    botToken: string | undefined;
    apiUrl: string;
    /** Verifies Slack's interactivity requests (POST /slack/interactions); unset: that route answers 503. */
    signingSecret: string | undefined;
  };
  adminApiToken: string | undefined;
  /**
   * Reverse proxies in front of the API that append to X-Forwarded-For. 0: none, the client address
   * is the socket peer and X-Forwarded-* headers are ignored (they could be forged).
   */
  trustedProxyHops: number;
  /** 32-byte key for secrets at rest and the payload codec; unset means "generate one in dataDir" (embedded mode only). */
  encryptionKey: Buffer | undefined;
  /** Earlier keys, still accepted for decryption while data sealed with them exists (key rotation). */
  previousEncryptionKeys: Buffer[];
  dataDir: string;
  /** Ports of the embedded services `npm start` runs when DATABASE_URL / TEMPORAL_ADDRESS are unset. */
  embedded: { postgresPort: number; temporalPort: number; temporalUiPort: number };
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /**
   * Where a separate listener serves `GET /metrics` (`host:port`). Unset: the API serves /metrics
   * on its own port, and a worker-only process serves none.
   */
  metricsAddress: { host: string; port: number } | undefined;
  /** After SIGTERM: how long in-flight requests and running activities get to finish. */
  shutdownGraceSeconds: number;
  /**
   * Set only by `npm run sandbox`: the loopback URL of the sandbox's control server (simulated
   * deploys, the simulated Slack's files). Undefined everywhere else: no sandbox route exists.
   */
  sandboxControlUrl: string | undefined;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const optional = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const httpUrl = (what: string) =>
  z
    .string()
    .trim()
    .refine((v) => /^https?:\/\/[^\s/]+/.test(v) && URL.canParse(v), `${what} must be an http(s) URL`)
    .transform((v) => v.replace(/\/+$/, ''));

const port = (name: string, fallback: number) =>
  optional
    .transform((v) => v ?? String(fallback))
    .refine((v) => /^\d+$/.test(v) && Number(v) > 0 && Number(v) < 65536, `${name} must be a port number (1-65535)`)
    .transform(Number);

const envSchema = z
  .object({
    PORT: port('PORT', 3000),
    PUBLIC_URL: optional.pipe(httpUrl('PUBLIC_URL').optional()),
    DATABASE_URL: optional.refine(
      (v) => v === undefined || /^postgres(ql)?:\/\//.test(v),
      'DATABASE_URL must be a postgres:// connection string',
    ),
    TEMPORAL_ADDRESS: optional.refine(
      (v) => v === undefined || /^[^\s:/]+:\d+$/.test(v),
      'TEMPORAL_ADDRESS must be host:port (e.g. temporal:7233)',
    ),
    TEMPORAL_NAMESPACE: optional.transform((v) => v ?? 'default'),
    TEMPORAL_TASK_QUEUE: optional.transform((v) => v ?? 'heroku-integration'),
    TEMPORAL_UI_URL: optional.pipe(httpUrl('TEMPORAL_UI_URL').optional()),
    TEMPORAL_DEPLOYMENT_NAME: optional.refine((v) => v === undefined || /^[\w.-]{1,255}$/.test(v), 'TEMPORAL_DEPLOYMENT_NAME must be letters, digits, ".", "_" and "-" (at most 255)'),
    TEMPORAL_WORKER_BUILD_ID: optional.refine((v) => v === undefined || /^[\w.+-]{1,255}$/.test(v), 'TEMPORAL_WORKER_BUILD_ID must be letters, digits, ".", "_", "+" and "-" (at most 255), e.g. a git SHA'),
    HEROKU_OAUTH_ID: optional,
    HEROKU_OAUTH_SECRET: optional,
    HEROKU_OAUTH_SCOPE: optional.transform((v) => v ?? 'global'),
    HEROKU_API_URL: optional.transform((v) => v ?? 'https://api.heroku.com').pipe(httpUrl('HEROKU_API_URL')),
    HEROKU_ID_URL: optional.transform((v) => v ?? 'https://id.heroku.com').pipe(httpUrl('HEROKU_ID_URL')),
    SLACK_BOT_TOKEN: optional,
    SLACK_SIGNING_SECRET: optional,
    SLACK_API_URL: optional
      .transform((v) => v ?? 'https://slack.com/api/')
      .pipe(httpUrl('SLACK_API_URL'))
      .transform((v) => `${v}/`),
    ADMIN_API_TOKEN: optional.refine(
      (v) => v === undefined || v.length >= 16,
      'ADMIN_API_TOKEN must be at least 16 characters (use e.g. `openssl rand -hex 32`)',
    ),
    TRUSTED_PROXY_HOPS: optional
      .transform((v) => v ?? '0')
      .refine((v) => /^\d{1,2}$/.test(v), 'TRUSTED_PROXY_HOPS must be the number of reverse proxies in front of the API (0-99)')
      .transform(Number),
    ENCRYPTION_KEY: optional.refine(
      (v) => v === undefined || decodeKey(v) !== undefined,
      'ENCRYPTION_KEY must be 32 bytes encoded as base64 (e.g. `openssl rand -base64 32`)',
    ),
    ENCRYPTION_PREVIOUS_KEYS: optional.refine(
      (v) => v === undefined || v.split(',').every((k) => decodeKey(k.trim()) !== undefined),
      'ENCRYPTION_PREVIOUS_KEYS must be a comma-separated list of 32-byte base64 keys',
    ),
    DYNOPULSE_DATA_DIR: optional.transform((v) => v ?? '.data'),
    EMBEDDED_POSTGRES_PORT: port('EMBEDDED_POSTGRES_PORT', 54329),
    TEMPORAL_DEV_PORT: port('TEMPORAL_DEV_PORT', 7233),
    TEMPORAL_UI_PORT: port('TEMPORAL_UI_PORT', 8233),
    DYNOPULSE_SANDBOX_URL: optional.refine(
      (v) => v === undefined || isLoopbackHttpUrl(v),
      'DYNOPULSE_SANDBOX_URL must be an http://127.0.0.1:<port> URL: it is set by `npm run sandbox` only',
    ),
    METRICS_ADDRESS: optional.refine(
      (v) => v === undefined || parseHostPort(v) !== undefined,
      'METRICS_ADDRESS must be host:port (e.g. 0.0.0.0:9464 or 127.0.0.1:9464)',
    ),
    SHUTDOWN_GRACE_SECONDS: optional
      .transform((v) => v ?? '20')
      .refine((v) => /^\d+$/.test(v) && Number(v) <= 3600, 'SHUTDOWN_GRACE_SECONDS must be whole seconds from 0 to 3600')
      .transform(Number),
    LOG_LEVEL: optional
      .transform((v) => v ?? 'info')
      .pipe(z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent')),
  });

/** Rules about several variables at once; checked on the raw values so they report even when other variables are invalid. */
function crossFieldProblems(env: NodeJS.ProcessEnv): string[] {
  const set = (name: string) => (env[name] ?? '').trim() !== '';
  const problems: string[] = [];
  if (set('HEROKU_OAUTH_ID') !== set('HEROKU_OAUTH_SECRET')) {
    problems.push('HEROKU_OAUTH_SECRET: HEROKU_OAUTH_ID and HEROKU_OAUTH_SECRET must be set together');
  }
  if (set('TEMPORAL_DEPLOYMENT_NAME') !== set('TEMPORAL_WORKER_BUILD_ID')) {
    problems.push('TEMPORAL_WORKER_BUILD_ID: TEMPORAL_DEPLOYMENT_NAME and TEMPORAL_WORKER_BUILD_ID must be set together (worker versioning)');
  }
  if (set('DATABASE_URL') && !set('ENCRYPTION_KEY')) {
    problems.push('ENCRYPTION_KEY: ENCRYPTION_KEY is required with an external DATABASE_URL (a key is only generated for the embedded database)');
  }
  if (set('DYNOPULSE_SANDBOX_URL')) {
    // Sandbox mode drives local simulators; it must never switch on next to real Heroku or Slack.
    const real = ['HEROKU_API_URL', 'HEROKU_ID_URL', 'SLACK_API_URL'].filter((name) => !isLoopbackHttpUrl(env[name] ?? ''));
    if (real.length > 0) problems.push(`DYNOPULSE_SANDBOX_URL: sandbox mode needs simulated Heroku and Slack, but ${real.join(', ')} ${real.length === 1 ? 'is' : 'are'} not a local URL`);
    if (env.NODE_ENV === 'production') problems.push('DYNOPULSE_SANDBOX_URL: sandbox mode is refused when NODE_ENV=production');
  }
  return problems;
}

function isLoopbackHttpUrl(value: string): boolean {
  if (!URL.canParse(value.trim())) return false;
  const url = new URL(value.trim());
  return url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
}

/** `host:port`, the host a name, an IPv4 address or a bracketed IPv6 address. */
function parseHostPort(value: string): { host: string; port: number } | undefined {
  const m = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(value);
  if (!m) return undefined;
  const port = Number(m[2]);
  if (port < 1 || port > 65535) return undefined;
  return { host: (m[1] as string).replace(/^\[|\]$/g, ''), port };
}

function decodeKey(value: string): Buffer | undefined {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(value)) return undefined;
  const key = Buffer.from(value, 'base64');
  return key.length === 32 ? key : undefined;
}

/** Parses and validates the environment; throws ConfigError listing every problem. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  const problems = [
    ...(parsed.success ? [] : parsed.error.issues.map((i) => (i.path.length ? `${String(i.path[0])}: ${i.message}` : i.message))),
    ...crossFieldProblems(env),
  ];
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const e = parsed.data;
  return {
    port: e.PORT,
    publicUrl: e.PUBLIC_URL ?? `http://localhost:${e.PORT}`,
    databaseUrl: e.DATABASE_URL,
    temporal: {
      address: e.TEMPORAL_ADDRESS,
      namespace: e.TEMPORAL_NAMESPACE,
      taskQueue: e.TEMPORAL_TASK_QUEUE,
      uiUrl: e.TEMPORAL_UI_URL,
      deployment: e.TEMPORAL_DEPLOYMENT_NAME && e.TEMPORAL_WORKER_BUILD_ID ? { name: e.TEMPORAL_DEPLOYMENT_NAME, buildId: e.TEMPORAL_WORKER_BUILD_ID } : undefined,
    },
    heroku: {
      oauthId: e.HEROKU_OAUTH_ID,
      oauthSecret: e.HEROKU_OAUTH_SECRET,
      oauthScope: e.HEROKU_OAUTH_SCOPE,
      apiUrl: e.HEROKU_API_URL,
      idUrl: e.HEROKU_ID_URL,
    },
    slack: { botToken: e.SLACK_BOT_TOKEN, apiUrl: e.SLACK_API_URL, signingSecret: e.SLACK_SIGNING_SECRET },
    adminApiToken: e.ADMIN_API_TOKEN,
    trustedProxyHops: e.TRUSTED_PROXY_HOPS,
    encryptionKey: e.ENCRYPTION_KEY === undefined ? undefined : decodeKey(e.ENCRYPTION_KEY),
    previousEncryptionKeys: (e.ENCRYPTION_PREVIOUS_KEYS ?? '')
      .split(',')
      .filter((k) => k.trim() !== '')
      .map((k) => decodeKey(k.trim()) as Buffer),
    dataDir: e.DYNOPULSE_DATA_DIR,
    embedded: { postgresPort: e.EMBEDDED_POSTGRES_PORT, temporalPort: e.TEMPORAL_DEV_PORT, temporalUiPort: e.TEMPORAL_UI_PORT },
    logLevel: e.LOG_LEVEL,
    metricsAddress: e.METRICS_ADDRESS === undefined ? undefined : parseHostPort(e.METRICS_ADDRESS),
    shutdownGraceSeconds: e.SHUTDOWN_GRACE_SECONDS,
    sandboxControlUrl: e.DYNOPULSE_SANDBOX_URL?.replace(/\/+$/, ''),
  };
}
