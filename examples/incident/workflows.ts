import { NexusOperationFailure } from '@temporalio/common';
import * as wf from '@temporalio/workflow';
import { HandlerError } from 'nexus-rpc';
// The only dynopulse import a caller needs: the service definition and its types.
import { dynopulseService, type RunCommandRequest } from '../../src/nexus/service';

export interface IncidentCommandOutcome {
  status: 'succeeded' | 'failed';
  runId: string | null;
  exitCode: number | null;
  outputBytes: number | null;
  /** Why it failed: the failure type (CommandFailed, HerokuRefused, HandlerError:BAD_REQUEST…) and message. */
  failure: string | null;
}

/**
 * An incident workflow in its own namespace that runs a diagnostic command on Heroku through the
 * dynopulse Nexus endpoint, and decides what to do from the outcome.
 */
export async function IncidentDiagnostics(endpoint: string, request: RunCommandRequest): Promise<IncidentCommandOutcome> {
  const dynopulse = wf.createNexusServiceClient({ service: dynopulseService, endpoint });
  try {
    const result = await dynopulse.executeOperation('runCommand', request, { scheduleToCloseTimeout: '40 minutes' });
    return { status: 'succeeded', runId: result.runId, exitCode: result.exitCode, outputBytes: result.outputBytes, failure: null };
  } catch (err) {
    if (!(err instanceof NexusOperationFailure)) throw err;
    const cause = err.cause;
    if (cause instanceof wf.ApplicationFailure && cause.type === 'CommandFailed') {
      // The command ran and did not succeed: its result rides in the failure's details.
      const result = cause.details?.[0] as { runId: string; exitCode: number | null; outputBytes: number } | undefined;
      return { status: 'failed', runId: result?.runId ?? null, exitCode: result?.exitCode ?? null, outputBytes: result?.outputBytes ?? null, failure: `CommandFailed: ${cause.message}` };
    }
    if (cause instanceof wf.ApplicationFailure) return { status: 'failed', runId: null, exitCode: null, outputBytes: null, failure: `${cause.type ?? 'Error'}: ${cause.message}` };
    if (cause instanceof HandlerError) return { status: 'failed', runId: null, exitCode: null, outputBytes: null, failure: `HandlerError:${cause.type}: ${cause.message}` };
    throw err;
  }
}
