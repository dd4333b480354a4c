import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { StreamResult } from '../../command-runs/outcome';
import { OutputWriter } from '../../command-runs/output-store';
import { getRun, updateRun, type CommandRunRow } from '../../command-runs/run-store';
import { attachUrlAad } from '../../crypto/aad';
import { connectInside, InsideAttachRefusedError, InsideAuthError } from '../../fir/inside-client';
import { ensureIntegrationSshKey } from '../../fir/integration-ssh-key';
import { appPath } from '../../heroku/client';
import { secretValuesOf } from '../../redaction/redactor';
import type { ActivityDeps } from '../deps';
import { heartbeating } from '../heartbeating';
import { onHeroku } from './failures';
import { pumpOutput } from './output-pump';

/**
 * The output of a Fir run (README "On Fir"): connects to the run-inside attach URL, records that
 * the command is about to start, opens the SSH shell (which starts it), and streams stdout and
 * stderr into storage the same way as Rendezvous output (output-pump.ts).
 *
 * Exactly once: once `stream_attached_at` is recorded, no attempt opens a shell again. A retry
 * after a worker crash reports the stream lost; the command may run on inside the dyno (Heroku
 * has no call that stops one command in a dyno), and is never started a second time.
 */
export function firStreamActivity(deps: ActivityDeps) {
  return async function streamFirOutput(run: CommandRunRow): Promise<StreamResult> {
    const ctx = Context.current();
    let writer: OutputWriter | undefined;
    const progress = () => ({ bytes: Number(run.output_bytes) + (writer?.bytes ?? 0), lines: Number(run.output_lines) + (writer?.lines ?? 0) });
    return heartbeating(async () => {
      if (run.stream_attached_at) return await lost(run, 'its worker stopped, or lost Temporal for longer than the heartbeat timeout, while streaming');
      if (!run.attach_url_sealed) throw new Error(`run ${run.id} has no run-inside session`);
      const heroku = deps.herokuFor(run.integration_id);
      const configVars = await onHeroku(`reading the config vars of ${run.app_name}`, () => heroku.get<Record<string, string | null>>(`${appPath(run.app_name)}/config-vars`));
      const key = await onHeroku(`reading dynopulse's SSH key`, () => ensureIntegrationSshKey(deps, heroku, run.integration_id));

      let connection;
      try {
        connection = await connectInside(deps.box.open(run.attach_url_sealed, attachUrlAad(run.id)), { privateKey: key.privateKey, signal: ctx.cancellationSignal });
      } catch (err) {
        if (ctx.cancellationSignal.aborted) throw ctx.cancellationSignal.reason;
        // Nothing ran: the shell was never opened. A refused URL or key will not heal by retrying.
        if (err instanceof InsideAttachRefusedError || err instanceof InsideAuthError) throw ApplicationFailure.nonRetryable(`connecting to dyno ${run.dyno_name}: ${err.message}; nothing was run`, err.name);
        throw err;
      }
      // Recorded before the shell opens: from here on the command may be running.
      await updateRun(deps.db, run.id, { stream_attached_at: new Date(), ssh_host_key: connection.hostKeyFingerprint });
      deps.logger.info({ commandRunId: run.id, dynoName: run.dyno_name, sshHostKey: connection.hostKeyFingerprint }, 'connected to the dyno over SSH (Fir)');
      let session;
      try {
        session = await connection.start();
      } catch (err) {
        connection.close();
        throw ApplicationFailure.nonRetryable(`dyno ${run.dyno_name} refused to start the command: ${(err as Error).message}`, 'RunInsideRefused');
      }

      writer = await OutputWriter.open(deps.outputStorage, run.id);
      const { exitCode, broken } = await pumpOutput(session, { writer, secrets: secretValuesOf(configVars), signal: ctx.cancellationSignal });
      const outputBytes = progress().bytes;
      await updateRun(deps.db, run.id, { stream_ended_at: new Date(), exit_code: exitCode });
      if (ctx.cancellationSignal.aborted) {
        // The TTL cap: the SSH `KILL` signal went out and the session was closed (inside-client.ts).
        deps.logger.warn({ commandRunId: run.id, outputBytes, reason: String(ctx.cancellationSignal.reason) }, 'output stream ended early: the activity was cancelled');
        throw ctx.cancellationSignal.reason;
      }
      deps.logger.info({ commandRunId: run.id, outputBytes, exitCode, sshExitStatus: session.sshExit() }, 'output stream ended (Fir)');
      if (exitCode !== null) return { kind: 'exited', exitCode, outputBytes };
      // The CLI calls this a success; it is not: nothing says how the command ended.
      const why = broken ? 'the SSH connection to the dyno broke' : 'the SSH session ended (the dyno restarted, or the command was killed)';
      return {
        kind: 'ended_without_status',
        outputBytes,
        message: `no exit status: ${why} before the command reported one, inside dyno ${run.dyno_name}; it was not run again, and the ${outputBytes} bytes received are kept`,
      };
    }, progress);
  };

  async function lost(run: CommandRunRow, why: string): Promise<StreamResult> {
    await updateRun(deps.db, run.id, { stream_lost: true });
    const latest = await getRun(deps.db, run.id);
    if (!latest.stream_ended_at) await updateRun(deps.db, run.id, { stream_ended_at: new Date() });
    const outputBytes = Number(latest.output_bytes);
    return {
      kind: 'lost',
      outputBytes,
      message: `output stream lost: the output of the command inside dyno ${run.dyno_name} stopped arriving (${why}); the command was not started again, it may still be running inside the dyno until it ends by itself, its exit status is unknown, and the ${outputBytes} bytes received are kept`,
    };
  }
}
