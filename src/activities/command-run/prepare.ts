import { ApplicationFailure } from '@temporalio/common';
import type { RunCommandInput } from '../../command-runs/input';
import { integrationProblem } from '../../command-runs/integration-check';
import { insertRunIfAbsent, updateRun } from '../../command-runs/run-store';
import { appPath } from '../../heroku/client';
import { Redactor, secretValuesOf } from '../../redaction/redactor';
import { CommandTemplateError, renderCommandTemplate, templateContextOf } from '../../templates/command-template';
import type { ActivityDeps } from '../deps';
import { onHeroku } from './failures';
import { readAppGeneration } from '../../fir/app-generation';
import { generationMisfit } from './fir-input';

/**
 * Everything that can refuse a run before a dyno exists: the integration, the template (rendered
 * once, stored with the run) and access to the app (its config vars, which also give the
 * redacted copy of the command for the timeline). Idempotent.
 */
export function prepareActivity(deps: ActivityDeps) {
  return async function prepareCommandRun(args: { runId: string; workflowId: string; input: RunCommandInput }): Promise<{ commandRedacted: string | null }> {
    const { runId, workflowId, input } = args;
    const refused = await integrationProblem(deps.db, input.integrationId);
    if (refused) throw ApplicationFailure.nonRetryable(refused, 'UnknownIntegration');
    const run = await insertRunIfAbsent(deps.db, { id: runId, workflowId, input });
    if (run.workflow_id !== workflowId) {
      throw ApplicationFailure.nonRetryable(`run id ${runId} already belongs to workflow ${run.workflow_id}`, 'RunIdInUse');
    }
    if (run.command !== null) return { commandRedacted: run.command_redacted };

    let command: string;
    try {
      command = await renderCommandTemplate(input.command, templateContextOf(runId, input));
    } catch (err) {
      if (err instanceof CommandTemplateError) throw ApplicationFailure.nonRetryable(err.message, 'CommandTemplateError');
      throw err;
    }
    const heroku = deps.herokuFor(input.integrationId);
    const configVars = await onHeroku(`reading the config vars of ${input.appName}`, () => heroku.get<Record<string, string | null>>(`${appPath(input.appName)}/config-vars`));
    // The generation decides how the command runs (README "On Fir"); inputs that do not apply to it are refused before anything runs.
    const { generation, stack } = await onHeroku(`reading the app ${input.appName}`, () => readAppGeneration(heroku, input.appName));
    const misfit = generationMisfit(input, generation);
    if (misfit) throw ApplicationFailure.nonRetryable(misfit, 'InvalidInput');
    const commandRedacted = new Redactor(secretValuesOf(configVars)).redact(command);
    await updateRun(deps.db, runId, { command, command_redacted: commandRedacted, generation, app_stack: stack });
    return { commandRedacted };
  };
}
