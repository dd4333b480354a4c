import { z } from 'zod';
import { DEFAULT_WINDOW, windowMs, WindowDurationError } from './window-duration';

/** The scope and window of a "what changed before" question, as the API and Nexus take it. */
export const changesQuerySchema = z
  .object({
    orgId: z.string().min(1).max(200),
    app: z.string().min(1).max(100).optional(),
    serviceId: z.string().min(1).max(200).optional(),
    before: z.iso.datetime({ offset: true, error: 'before must be an ISO 8601 date-time with a time zone, e.g. 2026-12-07T12:00:00Z' }).optional(),
    window: z.string().max(40).default(DEFAULT_WINDOW),
  })
  .superRefine((q, ctx) => {
    if (q.app !== undefined && q.serviceId !== undefined) ctx.addIssue({ code: 'custom', message: 'give app or serviceId, not both' });
    if (q.app === undefined && q.serviceId === undefined) ctx.addIssue({ code: 'custom', message: 'give app or serviceId: the changes of which app or service?' });
    try {
      windowMs(q.window);
    } catch (err) {
      if (!(err instanceof WindowDurationError)) throw err;
      ctx.addIssue({ code: 'custom', path: ['window'], message: err.message });
    }
  });

export type ChangesQueryInput = z.input<typeof changesQuerySchema>;

/** A checked question: one org, one app or service, the instant and how far back. */
export interface ChangesQuery {
  orgId: string;
  app: string | undefined;
  serviceId: string | undefined;
  before: Date;
  /** The window as given (ISO 8601) and in ms. */
  window: string;
  windowMs: number;
}

/** Parses (throws z.ZodError with readable messages); `now` is the default `before`. */
export function parseChangesQuery(input: unknown, now: Date = new Date()): ChangesQuery {
  const q = changesQuerySchema.parse(input);
  return { orgId: q.orgId, app: q.app, serviceId: q.serviceId, before: q.before === undefined ? now : new Date(q.before), window: q.window, windowMs: windowMs(q.window) };
}
