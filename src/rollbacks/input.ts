import { z } from 'zod';
import { approvalInputSchema, requestedBySchema } from '../approval/approval-input';
import { describeIssues, runCommandInputSchema } from '../command-runs/input';

// The RollbackHerokuRelease input (CONTRACT §6 "Rollback"), validated the same way by the API,
// Nexus and the workflow itself. Pure: no I/O, so the workflow sandbox can run it.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TARGET_MESSAGE = 'target must be "previous", a release id (uuid) or a release version number';

/** "previous", a release id, or a version (a positive integer, or its digits as a string). */
const targetSchema = z.union([z.string(TARGET_MESSAGE), z.number(TARGET_MESSAGE)], TARGET_MESSAGE).transform((raw, ctx): RollbackTarget => {
  if (raw === 'previous') return { kind: 'previous' };
  if (typeof raw === 'number' || /^v?\d{1,9}$/.test(raw)) {
    const version = typeof raw === 'number' ? raw : Number(raw.replace(/^v/, ''));
    if (Number.isInteger(version) && version > 0) return { kind: 'version', version };
  } else if (UUID.test(raw)) return { kind: 'id', id: raw.toLowerCase() };
  ctx.addIssue({ code: 'custom', message: TARGET_MESSAGE });
  return z.NEVER;
});

export type RollbackTarget = { kind: 'previous' } | { kind: 'id'; id: string } | { kind: 'version'; version: number };

const common = runCommandInputSchema.shape;

export const rollbackInputSchema = z
  .strictObject({
    integrationId: common.integrationId,
    appName: common.appName,
    target: targetSchema,
    /** Nothing is released until someone allowed approves (README "Approval gate"). */
    approval: approvalInputSchema.optional(),
    requestedBy: requestedBySchema,
    slackChannels: common.slackChannels,
    postToIncidentTimeline: common.postToIncidentTimeline,
    incident: common.incident,
  })
  .refine((input) => !input.postToIncidentTimeline || !!input.incident?.id, { message: 'postToIncidentTimeline needs incident.id', path: ['incident', 'id'] });

/** The input after validation. Plain JSON (the target normalized to `{kind,…}`: parsing it again gives the same). */
export type RollbackInput = z.output<typeof rollbackInputSchema>;

/** What RollbackHerokuRelease returns (CONTRACT §6). */
export interface RollbackResult {
  rollbackId: string;
  releaseId: string;
  releaseVersion: number;
  targetReleaseId: string;
  targetVersion: number;
}

/** The target as the API takes it: what a normalized input parses back from. */
export function targetText(target: RollbackTarget): string | number {
  return target.kind === 'previous' ? 'previous' : target.kind === 'id' ? target.id : target.version;
}

export type ParsedRollbackInput = { ok: true; input: RollbackInput } | { ok: false; message: string };

export function parseRollbackInput(raw: unknown): ParsedRollbackInput {
  // A normalized input (the API's, handed to the workflow) carries the target as an object.
  const target = (raw as { target?: unknown } | null)?.target;
  const rawInput = target && typeof target === 'object' && 'kind' in target ? { ...(raw as object), target: targetText(target as RollbackTarget) } : raw;
  const parsed = rollbackInputSchema.safeParse(rawInput);
  return parsed.success ? { ok: true, input: parsed.data } : { ok: false, message: `Invalid RollbackHerokuRelease input: ${describeIssues(parsed.error)}` };
}
