import { NexusOperationFailure } from '@temporalio/common';
import * as wf from '@temporalio/workflow';
import { HandlerError } from 'nexus-rpc';
// What an incident team's workflow imports: the service definition and its types, nothing else.
import { dynopulseService, type ChangesBeforeRequest, type ChangeView, type RollbackRequest, type RollbackResult, type RunCommandRequest } from '../../src/nexus/service';

export type CallerOutcome =
  | { outcome: 'succeeded'; runId: string; exitCode: number | null; outputBytes: number }
  | { outcome: 'failed'; failureType: string | undefined; message: string; details: unknown[] };

/** An incident workflow in another namespace running a command through the dynopulse endpoint. */
export async function IncidentRunsCommand(endpoint: string, request: RunCommandRequest): Promise<CallerOutcome> {
  const dynopulse = wf.createNexusServiceClient({ service: dynopulseService, endpoint });
  try {
    const result = await dynopulse.executeOperation('runCommand', request, { scheduleToCloseTimeout: '10 minutes' });
    return { outcome: 'succeeded', runId: result.runId, exitCode: result.exitCode, outputBytes: result.outputBytes };
  } catch (err) {
    if (err instanceof NexusOperationFailure && err.cause instanceof wf.ApplicationFailure) {
      return { outcome: 'failed', failureType: err.cause.type ?? undefined, message: err.cause.message, details: err.cause.details ?? [] };
    }
    if (err instanceof NexusOperationFailure && err.cause instanceof HandlerError) {
      return { outcome: 'failed', failureType: `HandlerError:${err.cause.type}`, message: err.cause.message, details: [] };
    }
    throw err;
  }
}

export type ChangesOutcome = { outcome: 'succeeded'; changes: ChangeView[] } | { outcome: 'failed'; failureType: string | undefined; message: string };

/** An incident workflow asking what changed before its start, through the synchronous changesBefore. */
export async function IncidentAsksWhatChanged(endpoint: string, request: ChangesBeforeRequest): Promise<ChangesOutcome> {
  const dynopulse = wf.createNexusServiceClient({ service: dynopulseService, endpoint });
  try {
    return { outcome: 'succeeded', changes: await dynopulse.executeOperation('changesBefore', request, { scheduleToCloseTimeout: '1 minute' }) };
  } catch (err) {
    if (err instanceof NexusOperationFailure && err.cause instanceof HandlerError) return { outcome: 'failed', failureType: `HandlerError:${err.cause.type}`, message: err.cause.message };
    throw err;
  }
}

export type RollbackOutcome = { outcome: 'succeeded'; result: RollbackResult } | { outcome: 'failed'; failureType: string | undefined; message: string };

/** An incident workflow rolling its app back through rollbackRelease; cancelling it cancels the rollback. */
export async function IncidentRollsBack(endpoint: string, request: RollbackRequest): Promise<RollbackOutcome> {
  const dynopulse = wf.createNexusServiceClient({ service: dynopulseService, endpoint });
  try {
    return { outcome: 'succeeded', result: await dynopulse.executeOperation('rollbackRelease', request, { scheduleToCloseTimeout: '10 minutes' }) };
  } catch (err) {
    if (err instanceof NexusOperationFailure && err.cause instanceof wf.ApplicationFailure) return { outcome: 'failed', failureType: err.cause.type ?? undefined, message: err.cause.message };
    if (err instanceof NexusOperationFailure && err.cause instanceof HandlerError) return { outcome: 'failed', failureType: `HandlerError:${err.cause.type}`, message: err.cause.message };
    throw err;
  }
}
