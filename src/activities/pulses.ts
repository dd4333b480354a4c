import { ApplicationFailure } from '@temporalio/activity';
import { appPath, HerokuApiError, type HerokuClient } from '../heroku/client';
import { ReconnectNeededError } from '../heroku/integration-tokens';
import type { ActivityDeps } from './deps';

/** Activities of pulse enrichment (EnrichHerokuPulse). */
export function createPulseActivities(deps: ActivityDeps) {
  return {
    /** The commit of a release's slug (heroku.md §5.3): `GET /apps/{app}/slugs/{id}`, via the release when the slug id is unknown. */
    async lookupReleaseCommit(input: { integrationId: string; appName: string; releaseId: string; slugId: string | null }): Promise<string | null> {
      const heroku = deps.herokuFor(input.integrationId);
      const app = appPath(input.appName);
      try {
        let slugId = input.slugId;
        if (slugId === null) {
          const release = await heroku.get<{ slug?: { id?: string } | null; oci_image?: { id?: string } | null }>(`${app}/releases/${encodeURIComponent(input.releaseId)}`);
          slugId = release.slug?.id ?? null;
          // Fir builds make OCI images, no slugs: the commit is the image's (docs/heroku-fir.md, pipelines/diff.js).
          if (slugId === null && release.oci_image?.id) return await ociImageCommit(heroku, app, release.oci_image.id);
        }
        if (slugId === null) return null; // e.g. a release without a slug: there is no commit to tell
        const slug = await heroku.get<{ commit?: string | null }>(`${app}/slugs/${encodeURIComponent(slugId)}`);
        return typeof slug.commit === 'string' && slug.commit !== '' ? slug.commit : null;
      } catch (err) {
        // A 4xx (app gone, access lost) or a dead authorization will not heal by retrying.
        if ((err instanceof HerokuApiError && !err.retryable) || err instanceof ReconnectNeededError) {
          throw ApplicationFailure.nonRetryable(err.message, err.name);
        }
        throw err;
      }
    },

    /** Stores the looked-up commit (or the absence of one) and ends the pulse's pending state. */
    async recordPulseCommit(input: { pulseId: string; commit: string | null }): Promise<void> {
      await deps
        .db('pulses')
        .where({ id: input.pulseId })
        .update({ commit_pending: false, data: deps.db.raw(`jsonb_set(data, '{commit}', cast(? as jsonb))`, [JSON.stringify(input.commit)]) });
    },
  };
}

/** `GET /apps/{app}/oci-images/{id}` answers an array; the CLI takes the first entry's commit. */
async function ociImageCommit(heroku: HerokuClient, app: string, imageId: string): Promise<string | null> {
  const images = await heroku.get<{ commit?: string | null }[]>(`${app}/oci-images/${encodeURIComponent(imageId)}`);
  const commit = Array.isArray(images) ? images[0]?.commit : undefined;
  return typeof commit === 'string' && commit !== '' ? commit : null;
}
