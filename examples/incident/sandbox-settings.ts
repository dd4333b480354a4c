import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { projectRoot } from '../../src/paths';

/** What `npm run sandbox` writes for the example (scripts/sandbox.ts): where everything is. */
export interface SandboxSettings {
  apiUrl: string;
  adminToken: string;
  orgId: string;
  temporalAddress: string;
  callerNamespace: string;
  endpoint: string;
  appNames: string[];
}

export const SANDBOX_SETTINGS_FILE = 'example-settings.json';

/** In the sandbox's data directory: DYNOPULSE_DATA_DIR when the sandbox was started with one, else .data/sandbox. */
export async function readSandboxSettings(dataDir?: string): Promise<SandboxSettings> {
  const file = path.join(path.resolve(projectRoot, dataDir || path.join('.data', 'sandbox')), SANDBOX_SETTINGS_FILE);
  try {
    return JSON.parse(await readFile(file, 'utf8')) as SandboxSettings;
  } catch {
    throw new Error(`No running sandbox found (${path.relative(process.cwd(), file)} is missing). Start one first, in another terminal: npm run sandbox`);
  }
}
