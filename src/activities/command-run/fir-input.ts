import type { RunCommandInput } from '../../command-runs/input';
import type { Generation } from '../../fir/app-generation';

/** Inputs that do not apply to the app's generation, as a message for the user; null when all fit. */
export function generationMisfit(input: RunCommandInput, generation: Generation): string | null {
  if (generation === 'fir') {
    if (input.dynoSize !== undefined) {
      return `dynoSize does not apply to ${input.appName}: it is a Fir-generation app, where the command runs inside an existing dyno (leave dynoSize out; choose the dyno with processType or dynoName)`;
    }
    return null;
  }
  const firOnly = (['processType', 'dynoName', 'noLauncher'] as const).filter((k) => input[k] !== undefined);
  if (firOnly.length > 0) {
    return `${firOnly.join(', ')} ${firOnly.length > 1 ? 'apply' : 'applies'} to Fir-generation apps only; ${input.appName} is a Cedar-generation app, where the command runs in a new one-off dyno`;
  }
  return null;
}
