import { z } from 'zod';
import type { HerokuClient } from './client';

const accountSchema = z.object({ id: z.string().min(1), email: z.string() });
export type HerokuAccount = z.infer<typeof accountSchema>;

/** The account the token acts for (heroku.md §2 "Which account installed"). */
export async function getAccount(client: HerokuClient): Promise<HerokuAccount> {
  const parsed = accountSchema.safeParse(await client.get<unknown>('/account'));
  if (!parsed.success) throw new Error('Heroku answered an unexpected /account body');
  return parsed.data;
}
