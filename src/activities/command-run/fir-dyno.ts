import { ApplicationFailure } from '@temporalio/common';
import { getRun, updateRun, type CommandRunRow } from '../../command-runs/run-store';
import { attachUrlAad } from '../../crypto/aad';
import { usesLauncher } from '../../fir/app-generation';
import { ensureIntegrationSshKey } from '../../fir/integration-ssh-key';
import { appPath } from '../../heroku/client';
import { PRINT_EXIT_STATUS } from '../../rendezvous/exit-status';
import { quoteShellWord } from '../../templates/shell-quote';
import type { ActivityDeps } from '../deps';
import type { HerokuDyno } from '../../heroku/dyno';
import { onHeroku } from './failures';

// Fir (README "On Fir", docs/heroku-fir.md): there are no attached one-off dynos; the command runs
// inside a dyno that is already up, through `POST /apps/{app}/dynos/{dyno}` with the run-inside
// Accept header, and its output comes over SSH (fir-stream.ts).

export const RUN_INSIDE_ACCEPT = 'application/vnd.heroku+json; version=3.run-inside';

/**
 * The command as it runs inside the dyno: `launcher` first on CNB apps (as the CLI does, unless
 * noLauncher), tagged with the run id (visible in the dyno's process list) and reporting its exit
 * status with the same marker as on Cedar. stderr joins stdout: SSH carries them as two streams
 * whose order relative to each other is lost, and the marker must come last (as on Rendezvous,
 * where they arrive merged).
 */
export function firCommand(runId: string, command: string, options: { launcher: boolean }): string {
  return `${options.launcher ? 'launcher ' : ''}env DYNOPULSE_RUN_ID=${quoteShellWord(runId)} bash -c ${quoteShellWord(command)} 2>&1; ${PRINT_EXIT_STATUS}`;
}

/** The dyno to run inside: the named one, or one of the process type (default `web`) that is up. Input errors are not retried. */
async function chooseDyno(deps: ActivityDeps, run: CommandRunRow): Promise<HerokuDyno> {
  const heroku = deps.herokuFor(run.integration_id);
  const dynos = await onHeroku(`listing the dynos of ${run.app_name}`, () => heroku.list<HerokuDyno>(`${appPath(run.app_name)}/dynos`));
  const { dynoName } = run.input;
  if (dynoName !== undefined) {
    const named = dynos.find((d) => d.name === dynoName);
    if (!named) {
      const known = dynos.map((d) => d.name).join(', ') || 'none';
      throw ApplicationFailure.nonRetryable(`there is no dyno named ${dynoName} on ${run.app_name} (its dynos: ${known}); nothing was run`, 'InvalidInput');
    }
    if (named.state !== 'up') throw ApplicationFailure.nonRetryable(`dyno ${dynoName} on ${run.app_name} is ${named.state}, not up; nothing was run`, 'InvalidInput');
    return named;
  }
  const type = run.input.processType ?? 'web';
  const up = dynos.filter((d) => d.type === type && d.state === 'up');
  if (up.length === 0) {
    const ofType = dynos.filter((d) => d.type === type);
    const states = ofType.length > 0 ? ` (its ${type} dynos: ${ofType.map((d) => `${d.name} ${d.state}`).join(', ')})` : '';
    throw ApplicationFailure.nonRetryable(`no ${type} dyno is up on ${run.app_name}${states}; nothing was run`, 'InvalidInput');
  }
  // Spread runs over the dynos of the type rather than always picking the first.
  return up[Math.floor(Math.random() * up.length)] as HerokuDyno;
}

/**
 * Chooses the dyno, makes sure the integration's SSH key is on the account, and asks Heroku for a
 * run-inside session. Safe to retry: the command only starts when the stream opens the SSH shell
 * (recorded before it does), so an answer lost here leaves at most an unused attach URL behind.
 */
export async function createFirRun(deps: ActivityDeps, runId: string): Promise<{ dynoId: string; dynoName: string }> {
  const run = await getRun(deps.db, runId);
  if (run.dyno_id && run.dyno_name) return { dynoId: run.dyno_id, dynoName: run.dyno_name };
  if (run.command === null) throw new Error(`run ${runId} has no rendered command`);
  const heroku = deps.herokuFor(run.integration_id);
  const target = await chooseDyno(deps, run);
  await onHeroku(`registering dynopulse's SSH key on the Heroku account`, () => ensureIntegrationSshKey(deps, heroku, run.integration_id));
  const command = firCommand(runId, run.command, { launcher: usesLauncher(run.app_stack) && run.input.noLauncher !== true });
  await updateRun(deps.db, runId, { dyno_requested_at: new Date() });
  const dyno = await onHeroku(`starting the command inside dyno ${target.name} of ${run.app_name}`, () =>
    heroku.post<HerokuDyno>(`${appPath(run.app_name)}/dynos/${encodeURIComponent(target.name)}`, { command, force_no_tty: true }, { headers: { Accept: RUN_INSIDE_ACCEPT }, idempotent: true }),
  );
  if (!dyno.attach_url) throw ApplicationFailure.nonRetryable(`Heroku gave no attach URL for dyno ${target.name}`, 'NotAttachable');
  await updateRun(deps.db, runId, {
    dyno_id: dyno.id,
    dyno_name: dyno.name,
    dyno_size: dyno.size,
    attach_url_sealed: deps.box.seal(dyno.attach_url, attachUrlAad(runId)),
    dyno_created_at: new Date(),
    status: 'running',
  });
  deps.logger.info({ commandRunId: runId, app: run.app_name, dynoName: dyno.name }, 'run-inside session created (Fir)');
  return { dynoId: dyno.id, dynoName: dyno.name };
}
