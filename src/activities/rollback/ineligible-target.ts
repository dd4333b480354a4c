import { ApplicationFailure } from '@temporalio/common';
import type { Generation } from '../../fir/app-generation';
import type { HerokuRelease } from './heroku-releases';

/**
 * Why a release cannot be rolled back to, in words a user acts on. An `expired` release lost its
 * artifact to Heroku's retention policy (changelog 3395: older than 30 days and 20 releases; on
 * Fir the OCI image, on Cedar the slug), and Heroku does not support rolling back to it: no retry
 * or other client gets it back, only a newer release or a new deploy of that commit.
 */
export function ineligibleTarget(appName: string, target: HerokuRelease, generation: Generation): ApplicationFailure {
  if (target.status === 'expired') {
    const artifact = generation === 'fir' ? 'OCI image' : 'slug';
    return ApplicationFailure.nonRetryable(
      `release v${target.version} of ${appName} is expired: Heroku destroyed its ${artifact} under its retention policy (releases older than 30 days and 20 releases) and does not support rollback to expired releases; pick a newer release or deploy that commit again`,
      'TargetExpired',
    );
  }
  return ApplicationFailure.nonRetryable(`release v${target.version} of ${appName} is not eligible for rollback (status ${target.status}); pick a release that succeeded`, 'TargetNotEligible');
}
