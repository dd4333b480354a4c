import { z } from 'zod';

/**
 * Page cursor of the lists ordered newest first by a `timestamptz` column, then id. `at` is the
 * timestamp as PostgreSQL prints it (`created_at::text`): microseconds included, so a cursor
 * never skips rows created within the same millisecond.
 */
export const newestFirstCursor = z.object({ at: z.string().regex(/^\d{4}-\d{2}-\d{2} [\d:.]+[+-]\d{2}(:\d{2})?$/), id: z.string().min(1).max(200) });
export type NewestFirstCursor = z.infer<typeof newestFirstCursor>;
