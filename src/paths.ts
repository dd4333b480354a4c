import { existsSync } from 'node:fs';
import path from 'node:path';

/** The project root: the nearest ancestor of this file holding package.json (works from src/ and dist/src/). */
export const projectRoot: string = (() => {
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'package.json')) || path.basename(dir) === 'dist') {
    const parent = path.dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
  return dir;
})();
