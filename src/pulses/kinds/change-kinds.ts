import { z } from 'zod';

/**
 * Kinds of change a pulse can be (CONTRACT §6 "Changes"; `rollback` is made elsewhere). An
 * integration watches a subset (default: all); an unwatched kind's deliveries are recorded but
 * make no pulse.
 */
export const CHANGE_KINDS = ['build', 'release', 'config', 'scaling', 'addon', 'maintenance', 'rename'] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];

/** A watched-kinds list as the API takes it: known kinds, no duplicates kept, order fixed. */
export const watchedKindsSchema = z
  .array(z.enum(CHANGE_KINDS, { error: () => `must be one of ${CHANGE_KINDS.join(', ')}` }))
  .max(CHANGE_KINDS.length * 2)
  .transform((kinds) => CHANGE_KINDS.filter((k) => kinds.includes(k)));
