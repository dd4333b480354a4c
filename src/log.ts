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

const CENSOR = '[REDACTED]';

/** What the mixin returns when the context adds nothing to a line (compared by identity). */
const NO_FIELDS: Readonly<Record<string, never>> = Object.freeze({});

/** Fields whose values are secrets, at the top of a log object or one level down (`{ token }`, `{ oauth: { accessToken } }`). */
const SECRET_FIELDS: ReadonlySet<string> = new Set(['accessToken', 'refreshToken', 'access_token', 'refresh_token', 'secret', 'token', 'password', 'clientSecret']);

/** Deeper places our code logs secrets at: request and response headers. */
const SECRET_PATHS: readonly (readonly string[])[] = [
  ['req', 'headers', 'authorization'],
  ['req', 'headers', 'cookie'],
  ['req', 'headers', 'heroku-webhook-hmac-sha256'],
  ['res', 'headers', 'set-cookie'],
  ['headers', 'authorization'],
  ['headers', 'Authorization'],
];

type Fields = Record<string, unknown>;
const isFields = (value: unknown): value is Fields => typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Error);

/**
 * A log object with every secret field and header censored; the object itself when it holds
 * none (the common case, so a line costs no copy). Copies only what it changes: the caller's
 * object is never modified. Replaces pino's `redact`, whose wildcard paths copied and walked
 * every object logged (about 20 µs a line, on every webhook delivery).
 */
export function redactSecrets(fields: Fields): Fields {
  let out: Fields | undefined;
  for (const key in fields) {
    const value = fields[key];
    if (SECRET_FIELDS.has(key)) (out ??= { ...fields })[key] = CENSOR;
    else if (isFields(value)) {
      let inner: Fields | undefined;
      for (const innerKey in value) if (SECRET_FIELDS.has(innerKey)) (inner ??= { ...value })[innerKey] = CENSOR;
      if (inner) (out ??= { ...fields })[key] = inner;
    }
  }
  for (const path of SECRET_PATHS) {
    const censored = censorPath(out ?? fields, path);
    if (censored) out = censored;
  }
  return out ?? fields;
}

/** A copy of `fields` with the value at `path` censored, or undefined when there is none. */
function censorPath(fields: Fields, path: readonly string[]): Fields | undefined {
  const [head, ...rest] = path;
  if (head === undefined || !(head in fields)) return undefined;
  if (rest.length === 0) return { ...fields, [head]: CENSOR };
  const child = fields[head];
  if (!isFields(child)) return undefined;
  const censored = censorPath(child, rest);
  return censored ? { ...fields, [head]: censored } : undefined;
}

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

/**
 * The keys a logger binds, minus pino's own (name, pid, hostname), computed once per logger:
 * `bindings()` re-parses the serialized bindings, too slow for every line of the webhook path.
 */
const boundKeys = new WeakMap<Logger, ReadonlySet<string>>();
function boundKeysOf(log: Logger): ReadonlySet<string> {
  let keys = boundKeys.get(log);
  if (!keys) {
    keys = new Set(Object.keys(log.bindings()).filter((key) => key !== 'name' && key !== 'pid' && key !== 'hostname'));
    boundKeys.set(log, keys);
  }
  return keys;
}

/**
 * Standard output, written without blocking the event loop: lines queue in memory while a write
 * is in flight, so a slow log collector or a full pipe holds up no request (a synchronous write
 * to a full pipe stops every request of the process). Lines are written in batches of
 * LOG_BATCH_BYTES, and at the latest LOG_BATCH_MS after they were logged: one write per line
 * cost the webhook receiver a write (and a thread-pool wake-up) per delivery, about 4% of its
 * throughput. pino flushes the queue synchronously when the process exits; a SIGKILLed process
 * loses the lines not yet written. A stdout nobody reads cannot make the queue grow past
 * MAX_QUEUED_LOG_BYTES: lines beyond it are dropped, and said so on stderr.
 */
export function stdoutDestination(): pino.DestinationStream {
  const destination = pino.destination({ dest: 1, sync: false, minLength: LOG_BATCH_BYTES, maxLength: MAX_QUEUED_LOG_BYTES });
  let lastWarning = 0;
  destination.on('drop', () => {
    if (Date.now() - lastWarning < 60_000) return;
    lastWarning = Date.now();
    process.stderr.write('dynopulse: log lines dropped: standard output is not being read fast enough\n');
  });
  // A timer only while lines wait, so an idle process makes no writes.
  let flushTimer: NodeJS.Timeout | undefined;
  const flush = () => {
    flushTimer = undefined;
    try {
      destination.flush();
    } catch {
      // Ended (the process is exiting): pino's exit hook wrote the queue synchronously.
    }
  };
  const queue = destination.write.bind(destination);
  destination.write = (line: string) => {
    const queued = queue(line);
    flushTimer ??= setTimeout(flush, LOG_BATCH_MS).unref();
    return queued;
  };
  return destination;
}

const LOG_BATCH_BYTES = 8 * 1024;
const LOG_BATCH_MS = 200;
const MAX_QUEUED_LOG_BYTES = 16 * 1024 * 1024;

export function createLogger(options: { level: string; name?: string; destination?: pino.DestinationStream }): Logger {
  return pino(
    {
      name: options.name ?? 'dynopulse',
      level: options.level,
      formatters: {
        level: (label) => ({ level: label }),
        // Secrets are censored in every line's fields (child loggers' bindings: see serializers).
        log: redactSecrets,
      },
      // Fields given at the call site win over the context's; fields a child logger already
      // binds are left out, so no line carries a key twice. When the context adds nothing (no
      // context, or the line carries its fields already, like the access line), the call's own
      // object is written as it is: pino's default merge copies it into the mixin's on every line.
      mixin: (callFields, _level, log) => {
        const context = logContext.getStore();
        if (!context) return NO_FIELDS;
        const bound = boundKeysOf(log);
        let fields: Record<string, string | number> | undefined;
        for (const key in context) if (!bound.has(key) && !(key in callFields)) (fields ??= {})[key] = context[key] as string | number;
        return fields ?? NO_FIELDS;
      },
      mixinMergeStrategy: (callFields, contextFields) => (contextFields === NO_FIELDS ? callFields : Object.assign(contextFields, callFields)),
      hooks: {
        // Free-text messages can carry a token an upstream error quoted back at us.
        logMethod(args, method) {
          // `args` is pino's own copy of the call's arguments.
          for (let i = 0; i < args.length; i++) {
            const arg: unknown = args[i];
            if (typeof arg === 'string') args[i] = scrubTokens(arg);
          }
          return method.apply(this, args);
        },
      },
      serializers: {
        // pino serializes child bindings with these too, where the log formatter does not reach.
        ...Object.fromEntries([...SECRET_FIELDS].map((key) => [key, () => CENSOR])),
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
