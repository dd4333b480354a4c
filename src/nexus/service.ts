import * as nexus from 'nexus-rpc';
import type { z } from 'zod';
import type { ChangeView } from '../changes/change-view';
import type { runCommandInputSchema, RunCommandResult } from '../command-runs/input';
import type { rollbackInputSchema, RollbackResult } from '../rollbacks/input';

// The dynopulse Nexus service as its callers see it (CONTRACT §6): the one module an incident
// workflow in another namespace imports. Its only runtime dependency is `nexus-rpc`; everything
// else here is types, erased at build time, so a caller's workflow bundle pulls in nothing of
// dynopulse (no Koa, pg or knex).

/** RunCommandOnHeroku's input as a caller writes it (CONTRACT §4): defaults may be left out. */
export type RunCommandRequest = z.input<typeof runCommandInputSchema>;
export type { RunCommandResult };

/** RollbackHerokuRelease's input as a caller writes it (CONTRACT §6 "Rollback"): target "previous", a release id or a version. */
export type RollbackRequest = z.input<typeof rollbackInputSchema>;
/** `{rollbackId, releaseId, releaseVersion, targetReleaseId, targetVersion}`: the new release and the one it went back to. */
export type { RollbackResult };

/** What changed before an instant (CONTRACT §6): one of app or serviceId; before ISO 8601 (default now); window ISO 8601 duration (default PT24H, max P7D). */
export interface ChangesBeforeRequest {
  orgId: string;
  app?: string;
  serviceId?: string;
  before?: string;
  window?: string;
}
export type { ChangeView };

/** The service name and the endpoint name the README and the sandbox use. */
export const DYNOPULSE_SERVICE_NAME = 'dynopulse';
export const DEFAULT_ENDPOINT_NAME = 'dynopulse';

/**
 * Failure types a caller can catch on the cause of the NexusOperationFailure: a run that ended but
 * did not succeed (non-zero exit, timed out; its result is in the failure's details), and the
 * types of a run that could not run (see README "Calling from an incident workflow").
 */
export const COMMAND_FAILED = 'CommandFailed';

/**
 * Failure types of a refused `rollbackRelease` (the rollback ends `failed`, nothing is released),
 * on the cause of the NexusOperationFailure. Other failures keep the step's own type (Heroku's
 * 429/5xx after the retries: HerokuUnavailable; another refusal of Heroku's: HerokuRefused; README).
 */
export const ROLLBACK_REFUSED = {
  /** The target release did not succeed (`eligible_for_rollback` false). */
  targetNotEligible: 'TargetNotEligible',
  /** The target's slug or OCI image was destroyed by Heroku's retention policy (`expired`): Heroku cannot roll back to it. */
  targetExpired: 'TargetExpired',
  /** The target is the app's current release: nothing to roll back. */
  targetIsCurrent: 'TargetIsCurrent',
  /** No release of that id or version. */
  targetNotFound: 'TargetNotFound',
  /** `"previous"`, and no eligible release before the current one. */
  noPreviousRelease: 'NoPreviousRelease',
  /** The app is not on Heroku (destroyed, renamed, or not this integration's). */
  appNotFound: 'AppNotFound',
  /** The integration is unknown or not connected. */
  unknownIntegration: 'UnknownIntegration',
  /** The integration's token lacks the `write` scope a rollback needs. */
  insufficientScope: 'InsufficientScope',
} as const;
export type RollbackRefusedType = (typeof ROLLBACK_REFUSED)[keyof typeof ROLLBACK_REFUSED];

export const dynopulseService = nexus.service(DYNOPULSE_SERVICE_NAME, {
  /** Starts RunCommandOnHeroku; completes with its result when the run ends. */
  runCommand: nexus.operation<RunCommandRequest, RunCommandResult>(),
  /** Starts RollbackHerokuRelease; completes with its result once Heroku made the rollback release. */
  rollbackRelease: nexus.operation<RollbackRequest, RollbackResult>(),
  /** Synchronous: the changes of GET /api/changes, newest first (at most 500, the newest of the window). */
  changesBefore: nexus.operation<ChangesBeforeRequest, ChangeView[]>(),
});
