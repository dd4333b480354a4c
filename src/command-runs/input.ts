import { z } from 'zod';
import { approvalInputSchema, requestedBySchema } from '../approval/approval-input';

// The RunCommandOnHeroku input (CONTRACT §4), validated the same way by the API and by the
// workflow itself (incident workflows start it directly with plain JSON). Pure: no I/O, so the
// workflow sandbox can run it.

export const DYNO_SIZES = ['standard-1X', 'standard-2X'] as const;
export type DynoSize = (typeof DYNO_SIZES)[number];

/** The size of a Cedar run's dyno when the input names none. */
export const DEFAULT_DYNO_SIZE: DynoSize = 'standard-1X';

/** The cap of every run; larger requests are lowered to it (CONTRACT §4). */
export const MAX_TIME_TO_LIVE_SECONDS = 1800;
/** Templates longer than this are refused; it also bounds the parser's nesting depth (liquidjs recurses). */
export const MAX_TEMPLATE_LENGTH = 4096;
const MAX_INCIDENT_JSON_BYTES = 16 * 1024;
const MAX_SLACK_CHANNELS = 20;

/** Heroku's app name rule (Platform API schema `app.name`): 3–30 chars, lowercase, digits, dashes. */
const APP_NAME = /^[a-z][a-z0-9-]{1,28}[a-z0-9]$/;
/** A conversation ID (C…, G…, D…) or a `#channel-name`. */
const SLACK_CHANNEL = /^(?:[CGD][A-Z0-9]+|#[a-z0-9][a-z0-9._-]{0,79})$/;
/** Procfile process type names, and dyno names such as `web-848cd4f64d-pvpr2` or `web.1`. */
const PROCESS_TYPE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,29}$/;
const DYNO_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const incidentText = (field: string, max: number) => z.string(`incident.${field} must be a string`).max(max, `incident.${field} is longer than ${max} characters`).optional();

const incidentSchema = z
  .looseObject({
    id: incidentText('id', 200),
    title: incidentText('title', 1000),
    url: incidentText('url', 2000),
    severity: incidentText('severity', 200),
  })
  .refine((incident) => JSON.stringify(incident).length <= MAX_INCIDENT_JSON_BYTES, `incident is larger than ${MAX_INCIDENT_JSON_BYTES} bytes of JSON`);

export const runCommandInputSchema = z
  .strictObject({
    integrationId: z.string('integrationId is required').regex(UUID, 'integrationId: unknown integration (not an integration id)'),
    appName: z.string('appName is required').regex(APP_NAME, 'appName is not a valid Heroku app name (3-30 characters: lowercase letters, digits and dashes, starting with a letter)'),
    command: z
      .string('command is required')
      .refine((c) => c.trim() !== '', 'command must not be empty')
      .refine((c) => c.length <= MAX_TEMPLATE_LENGTH, `command is longer than ${MAX_TEMPLATE_LENGTH} characters`),
    dynoSize: z
      .string()
      .transform((s, ctx) => {
        const size = DYNO_SIZES.find((known) => known.toLowerCase() === s.toLowerCase());
        if (size === undefined) {
          ctx.addIssue({ code: 'custom', message: `dynoSize must be ${DYNO_SIZES.join(' or ')}` });
          return z.NEVER;
        }
        return size;
      })
      // Left undefined when not given (standard-1X then, DEFAULT_DYNO_SIZE): a Fir app refuses a size that was asked for.
      .optional(),
    timeToLiveSeconds: z
      .number('timeToLiveSeconds must be a number of seconds')
      .int('timeToLiveSeconds must be a whole number of seconds')
      .positive('timeToLiveSeconds must be positive')
      .optional()
      .transform((ttl) => Math.min(ttl ?? MAX_TIME_TO_LIVE_SECONDS, MAX_TIME_TO_LIVE_SECONDS)),
    postToIncidentTimeline: z.boolean('postToIncidentTimeline must be true or false').optional().transform((v) => v ?? false),
    slackChannels: z
      .array(z.string().regex(SLACK_CHANNEL, 'slackChannels entries are channel ids (C0123…) or #channel-names'))
      .max(MAX_SLACK_CHANNELS, `at most ${MAX_SLACK_CHANNELS} slackChannels`)
      .optional()
      .transform((channels) => [...new Set(channels ?? [])]),
    incident: incidentSchema.nullish().transform((incident) => incident ?? null),
    /** One message per channel when the command starts, updated as the output grows (README "Live output in Slack"). */
    slackLiveOutput: z.boolean('slackLiveOutput must be true or false').optional().transform((v) => v ?? false),
    /** Nothing runs until someone allowed approves (README "Approval gate"). */
    approval: approvalInputSchema.optional(),
    requestedBy: requestedBySchema,
    /** Fir apps only (README "On Fir"): the process type of the dyno to run inside; `web` when neither this nor dynoName is given. */
    processType: z.string('processType must be a string').regex(PROCESS_TYPE, 'processType is not a process type name (letters, digits, "_" and "-", up to 30)').optional(),
    /** Fir apps only: the dyno to run inside, e.g. web-848cd4f64d-pvpr2. */
    dynoName: z.string('dynoName must be a string').regex(DYNO_NAME, 'dynoName is not a dyno name (e.g. web-848cd4f64d-pvpr2)').optional(),
    /** Fir apps only: do not prepend `launcher` on CNB apps (the CLI's --no-launcher). */
    noLauncher: z.boolean('noLauncher must be true or false').optional(),
  })
  .refine((input) => !input.postToIncidentTimeline || !!input.incident?.id, {
    message: 'postToIncidentTimeline needs incident.id',
    path: ['incident', 'id'],
  })
  .superRefine((input, ctx) => {
    const path = unstorableTextPath(input);
    if (path) ctx.addIssue({ code: 'custom', path, message: 'must not contain NUL (\\u0000) or unpaired UTF-16 surrogates' });
  });

/** NUL and unpaired surrogates: PostgreSQL's text and jsonb cannot hold them (the run is stored before it starts). */
// eslint-disable-next-line no-control-regex -- NUL is exactly what this looks for
const UNSTORABLE_TEXT = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function unstorableTextPath(value: unknown, path: (string | number)[] = []): (string | number)[] | undefined {
  if (typeof value === 'string') return UNSTORABLE_TEXT.test(value) ? path : undefined;
  if (value === null || typeof value !== 'object') return undefined;
  for (const [key, child] of Object.entries(value)) {
    if (UNSTORABLE_TEXT.test(key)) return [...path, key];
    const found = unstorableTextPath(child, [...path, Array.isArray(value) ? Number(key) : key]);
    if (found) return found;
  }
  return undefined;
}

/** The input after validation: defaults applied, TTL capped, size canonical. Plain JSON. */
export type RunCommandInput = z.output<typeof runCommandInputSchema>;
export type Incident = NonNullable<RunCommandInput['incident']>;

/** What RunCommandOnHeroku returns (CONTRACT §4). */
export interface RunCommandResult {
  runId: string;
  dynoId: string | null;
  exitCode: number | null;
  timedOut: boolean;
  outputBytes: number;
  slackFileIds: string[];
  timelineEventId: string | null;
}

/** One line per problem, e.g. "timeToLiveSeconds: timeToLiveSeconds must be positive". */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ');
}

export type ParsedInput = { ok: true; input: RunCommandInput } | { ok: false; message: string };

export function parseRunCommandInput(raw: unknown): ParsedInput {
  const parsed = runCommandInputSchema.safeParse(raw);
  return parsed.success ? { ok: true, input: parsed.data } : { ok: false, message: `Invalid RunCommandOnHeroku input: ${describeIssues(parsed.error)}` };
}
