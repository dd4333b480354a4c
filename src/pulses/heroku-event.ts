import { z } from 'zod';

// The app-webhook envelope and the parts of build/release data we use (heroku.md §4.3, §5.1,
// §5.2). Objects are loose: Heroku adds fields over time and a new field must not turn a
// delivery into a 400 that Heroku retries for 72 hours.

/**
 * A schema with zod's generated fast path (`z.compile`; about 3× faster on a release's data, and
 * every delivery goes through these). A body that fails it is parsed again by the runtime parser,
 * which reports the issues. Strict: a schema the fast path cannot model fails at load instead of
 * quietly slowing the webhook path down.
 */
const fast = <T extends z.ZodType>(schema: T): T => z.compile(schema, { strict: true });

/** Heroku uses several ISO-8601 shapes (`+00:00`, `Z`, microseconds); all parse to a Date. */
const isoTime = z.iso.datetime({ offset: true }).transform((s) => new Date(s));
/** Stored in text columns, which cannot hold NUL: such a field is the sender's error (400), not an outage. */
const text = (max: number) => z.string().min(1).max(max).refine((s) => !s.includes('\u0000'), 'must not contain NUL (\\u0000)');
const id = text(200);

const appRef = z.looseObject({ id: id.optional(), name: text(100) });
const userRef = z.looseObject({ id: id.nullish(), email: z.string().nullish() }).nullish();
const slugRef = z.looseObject({ id, commit: z.string().nullish() }).nullish();

const envelopeShape = fast(z.looseObject({
  id,
  action: text(50),
  resource: text(50),
  actor: userRef,
  /** Checked, not copied: the resource's own schema below reads it (one pass over the data). */
  data: z.custom<Record<string, unknown>>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), 'Invalid input: expected object'),
  /** Documented as the changed fields' old values; `{}` in real captures (heroku.md §4.3): only a hint. */
  previous_data: z.looseObject({}).nullish(),
  created_at: isoTime.nullish(),
  webhook_metadata: z.looseObject({
    webhook: z.looseObject({ id }),
    delivery: z.looseObject({ id }),
    event: z.looseObject({ id, include: z.string().nullish() }),
  }),
}));

/** The app an event is about: `data.app`, except for `app` events whose data IS the app (Platform API `app`). */
const appOfData = fast(z.looseObject({ app: appRef }).transform((d) => d.app));

export const buildDataSchema = fast(z.looseObject({
  id,
  app: appRef,
  status: z.string().min(1).max(50),
  user: userRef,
  source_blob: z.looseObject({ version: z.string().nullish() }).nullish(),
  slug: slugRef,
  release: z.looseObject({ id, version: z.number().int() }).nullish(),
  created_at: isoTime.nullish(),
  updated_at: isoTime.nullish(),
}));

export const releaseDataSchema = fast(z.looseObject({
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
}));

// Platform API `formation`: process type, quantity, size (schema `formation`; ZULIP formation_update.json).
export const formationDataSchema = fast(z.looseObject({
  id,
  app: appRef,
  type: text(100),
  quantity: z.number().int().min(0),
  size: text(100),
  updated_at: isoTime.nullish(),
}));

// Platform API `add-on`: service and plan names (schema `add-on`; ZULIP addon_update.json).
export const addonDataSchema = fast(z.looseObject({
  id,
  name: text(200),
  app: appRef,
  addon_service: z.looseObject({ id: id.optional(), name: text(200) }),
  plan: z.looseObject({ id: id.optional(), name: text(200) }),
  state: z.string().max(50).nullish(),
  updated_at: isoTime.nullish(),
}));

// Platform API `app`: name and maintenance flag (schema `app`; ZULIP app_update.json).
export const appDataSchema = fast(z.looseObject({
  id,
  name: text(100),
  maintenance: z.boolean(),
  updated_at: isoTime.nullish(),
}));

export type HerokuEnvelope = z.infer<typeof envelopeShape> & { data: { app: AppRef } };
export type AppRef = z.infer<typeof appRef>;
export type FormationData = z.infer<typeof formationDataSchema>;
export type AddonData = z.infer<typeof addonDataSchema>;
export type AppData = z.infer<typeof appDataSchema>;
export type BuildData = z.infer<typeof buildDataSchema>;
export type ReleaseData = z.infer<typeof releaseDataSchema>;

/** A delivery body, validated: the envelope plus typed data for the resources that make pulses. */
export type HerokuEvent =
  | { resource: 'build'; envelope: HerokuEnvelope; build: BuildData }
  | { resource: 'release'; envelope: HerokuEnvelope; release: ReleaseData }
  | { resource: 'formation'; envelope: HerokuEnvelope; formation: FormationData }
  | { resource: 'addon'; envelope: HerokuEnvelope; addon: AddonData }
  | { resource: 'app'; envelope: HerokuEnvelope; app: AppData }
  | { resource: 'other'; envelope: HerokuEnvelope };

export class InvalidHerokuEventError extends Error {
  override name = 'InvalidHerokuEventError';
}

/** Validates a parsed delivery body; throws InvalidHerokuEventError naming the first problems. */
export function parseHerokuEvent(body: unknown): HerokuEvent {
  const shape = parseWith(envelopeShape, body, '');
  // The envelope keeps the data as received (a shallow copy), with the app as validated.
  const envelope = (app: AppRef): HerokuEnvelope => ({ ...shape, data: { ...shape.data, app } });
  const data = <T>(schema: z.ZodType<T>): T => parseWith(schema, shape.data, 'data.');
  // Each resource's data is validated once, by its own schema, which also yields the app.
  switch (shape.resource) {
    case 'build': {
      const build = data(buildDataSchema);
      return { resource: 'build', envelope: envelope(build.app), build };
    }
    case 'release': {
      const release = data(releaseDataSchema);
      return { resource: 'release', envelope: envelope(release.app), release };
    }
    case 'formation': {
      const formation = data(formationDataSchema);
      return { resource: 'formation', envelope: envelope(formation.app), formation };
    }
    case 'addon': {
      const addon = data(addonDataSchema);
      return { resource: 'addon', envelope: envelope(addon.app), addon };
    }
    case 'app': {
      const app = data(appDataSchema);
      return { resource: 'app', envelope: envelope({ id: app.id, name: app.name }), app };
    }
    default:
      return { resource: 'other', envelope: envelope(data(appOfData)) };
  }
}

function parseWith<T>(schema: z.ZodType<T>, value: unknown, prefix: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.slice(0, 5).map((i) => `${prefix}${i.path.join('.') || '(body)'}: ${i.message}`);
  throw new InvalidHerokuEventError(`Not a Heroku webhook envelope: ${problems.join('; ')}`);
}
