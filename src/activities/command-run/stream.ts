import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { StreamResult } from '../../command-runs/outcome';
import { OutputWriter } from '../../command-runs/output-store';
import { getRun, updateRun, type CommandRunRow } from '../../command-runs/run-store';
import { attachUrlAad } from '../../crypto/aad';
import { appPath, type HerokuClient } from '../../heroku/client';
import { secretValuesOf } from '../../redaction/redactor';
import { attachToDyno, RendezvousCertificateError, RendezvousRefusedError, type AttachedDyno } from '../../rendezvous/client';
import type { ActivityDeps } from '../deps';
import { heartbeating } from '../heartbeating';
import { dynoState, isDynoOver } from './dyno';
import { onHeroku } from './failures';
import { pumpOutput } from './output-pump';
import { firStreamActivity } from './fir-stream';

/** How often a dyno we lost the stream of is checked until it ends. */
const DYNO_POLL_MS = 2_000;
/** A dyno whose stream closed may take a moment to show as ended on the Platform API. */
const END_GRACE_MS = 5_000;

/** Progress shown in heartbeat details (and the Temporal UI's pending activity). */
interface StreamProgress {
  bytes: number;
  lines: number;
}

/**
 * Streams a run's output from Rendezvous into PostgreSQL as it arrives: redacted, exit-status
 * marker removed, memory flat whatever the size. Heartbeats every few seconds with progress, and
 * reacts to cancellation (the workflow's TTL cap) by keeping what arrived and stopping.
 *
 * Rendezvous secrets work once: if an earlier attempt attached (and its worker died), this attempt
 * does not re-run or re-attach anything; it waits for the dyno to end and reports the stream lost.
 */
export function streamActivity(deps: ActivityDeps) {
  const streamFir = firStreamActivity(deps);
  return async function streamRunOutput({ runId }: { runId: string }): Promise<StreamResult> {
    const ctx = Context.current();
    const run = await getRun(deps.db, runId);
    if (run.generation === 'fir') return streamFir(run);
    let writer: OutputWriter | undefined;
    const progress = (): StreamProgress => ({ bytes: Number(run.output_bytes) + (writer?.bytes ?? 0), lines: Number(run.output_lines) + (writer?.lines ?? 0) });
    // Heartbeats carry the progress and go out whether output flows or not (a silent command must not look dead).
    return heartbeating(async () => {
      const heroku = deps.herokuFor(run.integration_id);
      if (run.stream_attached_at) return await waitForLostDyno(run, heroku, 'its worker stopped, or lost Temporal for longer than the heartbeat timeout, while streaming');
      const configVars = await onHeroku(`reading the config vars of ${run.app_name}`, () => heroku.get<Record<string, string | null>>(`${appPath(run.app_name)}/config-vars`));

      const attached = await attach(run);
      if (attached === 'already-attached') return await waitForLostDyno(run, heroku, 'an earlier attempt attached to it and stopped');
      await updateRun(deps.db, runId, { stream_attached_at: new Date() });
      // The command gets no input: end its stdin (non-TTY end of input, heroku.md §7.6).
      attached.socket.write('\x04');

      writer = await OutputWriter.open(deps.outputStorage, runId);
      const { exitCode, broken } = await pumpOutput(attached, { writer, secrets: secretValuesOf(configVars), signal: ctx.cancellationSignal });
      const outputBytes = progress().bytes;
      await updateRun(deps.db, runId, { stream_ended_at: new Date(), exit_code: exitCode });
      if (ctx.cancellationSignal.aborted) {
        deps.logger.warn({ commandRunId: runId, outputBytes, reason: String(ctx.cancellationSignal.reason) }, 'output stream ended early: the activity was cancelled');
        throw ctx.cancellationSignal.reason;
      }
      deps.logger.info({ commandRunId: runId, outputBytes, exitCode }, 'output stream ended');
      if (exitCode !== null) return { kind: 'exited', exitCode, outputBytes };
      // Closed without a status: the dyno ended without one, or the connection broke while it runs on.
      if (await dynoEnds(run, heroku, broken ? 0 : END_GRACE_MS)) return { kind: 'ended_without_status', outputBytes };
      return await waitForLostDyno(run, heroku, 'the connection to it broke');

      async function attach(r: CommandRunRow): Promise<AttachedDyno | 'already-attached'> {
        if (!r.attach_url_sealed) throw new Error(`run ${r.id} has no dyno to attach to`);
        try {
          return await attachToDyno(deps.box.open(r.attach_url_sealed, attachUrlAad(r.id)), { signal: ctx.cancellationSignal });
        } catch (err) {
          if (ctx.cancellationSignal.aborted) throw ctx.cancellationSignal.reason;
          if (err instanceof RendezvousCertificateError) throw ApplicationFailure.nonRetryable(err.message, err.name);
          // A refused secret of a dyno that is no longer waiting for its client: someone attached.
          if (err instanceof RendezvousRefusedError && (await dynoState(heroku, r, r.dyno_id ?? '')) !== 'starting') return 'already-attached';
          throw err;
        }
      }
    }, progress);
  };

  /** True if the dyno is over now or within `graceMs`. */
  async function dynoEnds(run: CommandRunRow, heroku: HerokuClient, graceMs: number): Promise<boolean> {
    const deadline = Date.now() + graceMs;
    for (;;) {
      if (isDynoOver(await onHeroku('checking the dyno', () => dynoState(heroku, run, run.dyno_id ?? '')))) return true;
      if (Date.now() >= deadline) return false;
      await Context.current().sleep(Math.min(DYNO_POLL_MS, graceMs));
    }
  }

  /**
   * The output stream is gone for good. Waits (heartbeating; the workflow's TTL cap still applies
   * and stops the dyno) until the dyno has ended, so the run never reports while its command still
   * runs, then reports what was received as all there is.
   */
  async function waitForLostDyno(run: CommandRunRow, heroku: HerokuClient, why: string): Promise<StreamResult> {
    await updateRun(deps.db, run.id, { stream_lost: true });
    while (!(await dynoEnds(run, heroku, 0))) await Context.current().sleep(DYNO_POLL_MS);
    const latest = await getRun(deps.db, run.id);
    if (!latest.stream_ended_at) await updateRun(deps.db, run.id, { stream_ended_at: new Date() });
    const outputBytes = Number(latest.output_bytes);
    return {
      kind: 'lost',
      outputBytes,
      message: `output stream lost: the output of dyno ${run.dyno_name} stopped arriving (${why}) and Rendezvous cannot be re-attached; the dyno has ended, its exit status is unknown, and the ${outputBytes} bytes received are kept`,
    };
  }
}
