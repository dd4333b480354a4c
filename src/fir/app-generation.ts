import { z } from 'zod';
import { appPath, type HerokuClient } from '../heroku/client';

// How the Heroku CLI tells an app's generation (docs/heroku-fir.md, lib/apps/generation.js):
// `generation` of `GET /apps/{app}` is a string or an object with `name`; `stack.name === 'cnb'`
// means Cloud Native Buildpacks, whose commands run through `launcher` (lib/run/helpers.js).

export type Generation = 'cedar' | 'fir';

const appSchema = z.looseObject({
  generation: z.union([z.string(), z.looseObject({ name: z.string().nullish() })]).nullish(),
  stack: z.looseObject({ name: z.string().nullish() }).nullish(),
});

export interface AppGeneration {
  generation: Generation;
  /** The app's stack name, e.g. `heroku-24` or `cnb`. */
  stack: string | null;
}

export function generationOf(app: unknown): AppGeneration {
  const parsed = appSchema.safeParse(app);
  if (!parsed.success) return { generation: 'cedar', stack: null };
  const raw = parsed.data.generation;
  const name = typeof raw === 'string' ? raw : (raw?.name ?? '');
  // Apps from before generations existed have none: they are Cedar.
  return { generation: /fir/.test(name) ? 'fir' : 'cedar', stack: parsed.data.stack?.name ?? null };
}

export async function readAppGeneration(heroku: HerokuClient, appName: string): Promise<AppGeneration> {
  return generationOf(await heroku.get<unknown>(appPath(appName)));
}

/** The CLI prepends `launcher` on CNB apps only. */
export const usesLauncher = (stack: string | null): boolean => stack === 'cnb';
