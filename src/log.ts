import { AsyncLocalStorage } from 'node:async_hooks';
import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * What every log line written while serving one request or running one activity carries
 * (`requestId`; `workflowId`, `runId`, `activityType`), however deep the logging code sits and
 * whichever logger it holds: the fields travel with the async context, not with logger objects.
 */
export type LogContext = Readonly<Record<string, string | number>>;

const logContext = new AsyncLocalStorage<LogContext>();

/** Runs `work` with `fields` added to every log line it writes (nested contexts add up). */
export function withLogContext<T>(fields: LogContext, work: () => T): T {
  const outer = logContext.getStore();
  return logContext.run(outer ? { ...outer, ...fields } : fields, work);
}

/**
 * Paths whose values are secrets wherever they appear in a log object. pino's redaction is a
 * fixed-path mechanism, so we list the shapes our code logs (request headers, token objects).
 */
const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["heroku-webhook-hmac-sha256"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.Authorization',
  '*.accessToken',
  '*.refreshToken',
  '*.access_token',
  '*.refresh_token',
  '*.secret',
  '*.token',
  '*.password',
  '*.clientSecret',
  'accessToken',
  'refreshToken',
  'secret',
  'token',
  'password',
];

/** Tokens that must never reach a log line even inside free text (Heroku OAuth, Slack, bearer headers). */
const TOKEN_PATTERNS: RegExp[] = [
  /HRKU-[A-Za-z0-9_-]{8,}/g,
  /xox[abposr]-[A-Za-z0-9-]{8,}/g,
  /(Bearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi,
];

/** Replaces token-looking substrings; used for log messages and error texts. */
export function scrubTokens(text: string): string {
  return TOKEN_PATTERNS.reduce((t, re) => t.replace(re, (m, bearer?: string) => (typeof bearer === 'string' ? `${bearer}[REDACTED]` : '[REDACTED]')), text);
}

export function createLogger(options: { level: string; name?: string; destination?: pino.DestinationStream }): Logger {
  return pino(
    {
      name: options.name ?? 'dynopulse',
      level: options.level,
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
      formatters: { level: (label) => ({ level: label }) },
      // Fields given at the call site win over the context's (pino's default merge strategy);
      // fields a child logger already binds are left out, so no line carries a key twice.
      mixin: (_fields, _level, log) => {
        const context = logContext.getStore();
        if (!context) return {};
        const bound = log.bindings();
        return Object.fromEntries(Object.entries(context).filter(([key]) => !(key in bound)));
      },
      hooks: {
        // Free-text messages can carry a token an upstream error quoted back at us.
        logMethod(args, method) {
          const scrubbed = args.map((a) => (typeof a === 'string' ? scrubTokens(a) : a));
          return method.apply(this, scrubbed as Parameters<typeof method>);
        },
      },
      serializers: {
        err: (err: unknown) => {
          const s = pino.stdSerializers.err(err as Error);
          if (s && typeof s.message === 'string') s.message = scrubTokens(s.message);
          if (s && typeof s.stack === 'string') s.stack = scrubTokens(s.stack);
          return s;
        },
      },
    },
    options.destination,
  );
}
