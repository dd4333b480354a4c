import { ApplicationFailure } from '@temporalio/common';
import { DEFAULT_DYNO_SIZE, MAX_TIME_TO_LIVE_SECONDS } from '../../command-runs/input';
import { getRun, updateRun, type CommandRunRow } from '../../command-runs/run-store';
import { attachUrlAad } from '../../crypto/aad';
import { appPath, HerokuApiError, type HerokuClient } from '../../heroku/client';
import type { HerokuDyno } from '../../heroku/dyno';
import { reportingExitStatus } from '../../rendezvous/exit-status';
import { quoteShellWord } from '../../templates/shell-quote';
import type { ActivityDeps } from '../deps';
import { herokuFailure, onHeroku } from './failures';
import { createFirRun } from './fir-dyno';

/**
 * Heroku's own `time_to_live` is a backstop for when no worker is there to enforce the cap: a
 * little later than the workflow's timer (which stops the dyno and keeps the partial output),
 * never above the cap.
 */
const BACKSTOP_MARGIN_SECONDS = 30;

/**
 * The command as the dyno runs it: tagged with the run id (the tag is how a retry recognises a
 * dyno it created but never recorded) and reporting its exit status.
 */
export function dynoCommand(runId: string, command: string): string {
  return `${runTag(runId)}${reportingExitStatus(command)}`;
}

/** The head of the command of run `runId`'s dyno. */
export const runTag = (runId: string) => `DYNOPULSE_RUN_ID=${quoteShellWord(runId)} `;

export function dynoPath(run: Pick<CommandRunRow, 'app_name'>, dynoId: string): string {
  return `${appPath(run.app_name)}/dynos/${encodeURIComponent(dynoId)}`;
}

/** The dyno's state, or null once it is gone (a one-off dyno that ended answers 404, heroku.md §6.2). */
export async function dynoState(heroku: HerokuClient, run: Pick<CommandRunRow, 'app_name'>, dynoId: string): Promise<string | null> {
  try {
    return (await heroku.get<HerokuDyno>(dynoPath(run, dynoId))).state;
  } catch (err) {
    if (err instanceof HerokuApiError && err.status === 404) return null;
    throw err;
  }
}

export const isDynoOver = (state: string | null) => state === null || state === 'down' || state === 'crashed';

export function dynoActivities(deps: ActivityDeps) {
  async function record(run: CommandRunRow, dyno: HerokuDyno): Promise<{ dynoId: string; dynoName: string }> {
    if (!dyno.attach_url) throw ApplicationFailure.nonRetryable(`dyno ${dyno.name} has no Rendezvous attach URL`, 'NotAttachable');
    await updateRun(deps.db, run.id, {
      dyno_id: dyno.id,
      dyno_name: dyno.name,
      dyno_size: dyno.size,
      attach_url_sealed: deps.box.seal(dyno.attach_url, attachUrlAad(run.id)),
      dyno_created_at: new Date(),
      status: 'running',
    });
    deps.logger.info({ commandRunId: run.id, app: run.app_name, dynoName: dyno.name }, 'dyno created');
    return { dynoId: dyno.id, dynoName: dyno.name };
  }

  return {
    /**
     * Creates the run's one dyno. A create call may reach Heroku and its answer be lost (worker
     * crash, timeout); so once a create was attempted, a retry first looks for a running dyno
     * carrying the run's tag. A 409 (Heroku just after a deploy) is retried by Temporal.
     */
    async createRunDyno({ runId }: { runId: string }): Promise<{ dynoId: string; dynoName: string }> {
      const run = await getRun(deps.db, runId);
      if (run.dyno_id && run.dyno_name) return { dynoId: run.dyno_id, dynoName: run.dyno_name };
      if (run.generation === 'fir') return createFirRun(deps, runId);
      if (run.command === null) throw new Error(`run ${runId} has no rendered command`);
      const heroku = deps.herokuFor(run.integration_id);
      const command = dynoCommand(runId, run.command);
      if (run.dyno_requested_at) {
        const dynos = await onHeroku(`listing the dynos of ${run.app_name}`, () => heroku.list<HerokuDyno>(`${appPath(run.app_name)}/dynos`));
        const ours = dynos.find((d) => d.command.startsWith(runTag(runId)));
        if (ours) return record(run, ours);
      }
      await updateRun(deps.db, runId, { dyno_requested_at: new Date() });
      const dyno = await onHeroku(`creating a dyno on ${run.app_name}`, () =>
        heroku.post<HerokuDyno>(`${appPath(run.app_name)}/dynos`, {
          command,
          attach: true,
          force_no_tty: true,
          size: run.input.dynoSize ?? DEFAULT_DYNO_SIZE,
          time_to_live: Math.min(run.input.timeToLiveSeconds + BACKSTOP_MARGIN_SECONDS, MAX_TIME_TO_LIVE_SECONDS),
        }),
      );
      return record(run, dyno);
    },

    /** `POST …/actions/stop` (heroku.md §6.2); a dyno that is already gone is fine. */
    async stopRunDyno({ runId }: { runId: string }): Promise<void> {
      const run = await getRun(deps.db, runId);
      if (!run.dyno_id) return;
      // On Fir the dyno is a serving one of the formation: never stopped. Refusing (rather than
      // returning) lets the workflow end the stream at once, which ends the command (fir-stream.ts).
      if (run.generation === 'fir') throw ApplicationFailure.nonRetryable(`dyno ${run.dyno_name} is not stopped: on Fir the command is ended by closing its SSH session`, 'FirDynoNotStopped');
      const heroku = deps.herokuFor(run.integration_id);
      try {
        await heroku.post(`${dynoPath(run, run.dyno_id)}/actions/stop`, {}, { idempotent: true });
      } catch (err) {
        if (err instanceof HerokuApiError && err.status === 404) return;
        throw herokuFailure(err, `stopping dyno ${run.dyno_name}`);
      }
    },
  };
}
