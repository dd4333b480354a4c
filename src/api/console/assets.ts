import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../paths';
import type { ApiContext } from '../context';

/**
 * The console's static files (src/api/console/assets: plain JS modules and CSS, no build step),
 * read into memory once at start-up. Lookups are by exact name in that map, so no request path
 * ever reaches the file system. Browsers revalidate with the ETag (304) on each page load.
 */
export const ASSETS_DIR = path.join(projectRoot, 'src', 'api', 'console', 'assets');

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

export class ConsoleAssets {
  private constructor(private readonly files: ReadonlyMap<string, Asset>) {}

  static load(dir: string = ASSETS_DIR): ConsoleAssets {
    const files = new Map<string, Asset>();
    const walk = (sub: string) => {
      for (const entry of readdirSync(path.join(dir, sub), { withFileTypes: true })) {
        const rel = sub ? `${sub}/${entry.name}` : entry.name;
        if (entry.isDirectory()) walk(rel);
        const type = TYPES[path.extname(entry.name)];
        if (entry.isFile() && type) {
          const body = readFileSync(path.join(dir, rel));
          files.set(`/assets/${rel}`, { body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` });
        }
      }
    };
    walk('');
    return new ConsoleAssets(files);
  }

  /** Answers `ctx` when its path names an asset; false otherwise. */
  serve(ctx: ApiContext): boolean {
    const asset = this.files.get(ctx.path);
    if (!asset) return false;
    ctx.set('ETag', asset.etag);
    ctx.set('Cache-Control', 'no-cache');
    ctx.set('X-Content-Type-Options', 'nosniff');
    if (ctx.get('if-none-match') === asset.etag) {
      ctx.status = 304;
      return true;
    }
    ctx.type = asset.type;
    ctx.body = asset.body;
    return true;
  }
}
