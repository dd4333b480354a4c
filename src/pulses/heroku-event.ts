import { z } from 'zod';

// The app-webhook envelope and the parts of build/release data we use (heroku.md §4.3, §5.1,
// §5.2). Objects are loose: Heroku adds fields over time and a new field must not turn a
// delivery into a 400 that Heroku retries for 72 hours.

/** Heroku uses several ISO-8601 shapes (`+00:00`, `Z`, microseconds); all parse to a Date. */
const isoTime = z.iso.datetime({ offset: true }).transform((s) => new Date(s));
/** Stored in text columns, which cannot hold NUL: such a field is the sender's error (400), not an outage. */
const text = (max: number) => z.string().min(1).max(max).refine((s) => !s.includes('\u0000'), 'must not contain NUL (\\u0000)');
const id = text(200);

const appRef = z.looseObject({ id: id.optional(), name: text(100) });
const userRef = z.looseObject({ id: id.nullish(), email: z.string().nullish() }).nullish();
const slugRef = z.looseObject({ id, commit: z.string().nullish() }).nullish();

export const envelopeSchema = z.looseObject({
  id,
  action: text(50),
  resource: text(50),
  actor: userRef,
  data: z.looseObject({ app: appRef }),
  created_at: isoTime.nullish(),
  webhook_metadata: z.looseObject({
    webhook: z.looseObject({ id }),
    delivery: z.looseObject({ id }),
    event: z.looseObject({ id, include: z.string().nullish() }),
  }),
});

export const buildDataSchema = z.looseObject({
  id,
  app: appRef,
  status: z.string().min(1).max(50),
  user: userRef,
  source_blob: z.looseObject({ version: z.string().nullish() }).nullish(),
  slug: slugRef,
  release: z.looseObject({ id, version: z.number().int() }).nullish(),
  created_at: isoTime.nullish(),
  updated_at: isoTime.nullish(),
});

export const releaseDataSchema = z.looseObject({
  id,
  app: appRef,
  version: z.number().int(),
  status: z.string().min(1).max(50),
  current: z.boolean(),
  description: z.string().nullish(),
  user: userRef,
  slug: slugRef,
  created_at: isoTime.nullish(),
  updated_at: isoTime.nullish(),
});

export type HerokuEnvelope = z.infer<typeof envelopeSchema>;
export type BuildData = z.infer<typeof buildDataSchema>;
export type ReleaseData = z.infer<typeof releaseDataSchema>;

/** A delivery body, validated: the envelope plus typed data for the resources that make pulses. */
export type HerokuEvent =
  | { resource: 'build'; envelope: HerokuEnvelope; build: BuildData }
  | { resource: 'release'; envelope: HerokuEnvelope; release: ReleaseData }
  | { resource: 'other'; envelope: HerokuEnvelope };

export class InvalidHerokuEventError extends Error {
  override name = 'InvalidHerokuEventError';
}

/** Validates a parsed delivery body; throws InvalidHerokuEventError naming the first problems. */
export function parseHerokuEvent(body: unknown): HerokuEvent {
  const envelope = parseWith(envelopeSchema, body, '');
  if (envelope.resource === 'build') return { resource: 'build', envelope, build: parseWith(buildDataSchema, envelope.data, 'data.') };
  if (envelope.resource === 'release') return { resource: 'release', envelope, release: parseWith(releaseDataSchema, envelope.data, 'data.') };
  return { resource: 'other', envelope };
}

function parseWith<T>(schema: z.ZodType<T>, value: unknown, prefix: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.slice(0, 5).map((i) => `${prefix}${i.path.join('.') || '(body)'}: ${i.message}`);
  throw new InvalidHerokuEventError(`Not a Heroku webhook envelope: ${problems.join('; ')}`);
}
