const DEFAULT_PAGE = '/integrations';

/**
 * `value` when it is a path on this site, else the console's start page. Keeps `next=` and
 * redirects from sending a signed-in admin to another host (`//evil.example`, `/\evil`, `https:`...).
 */
export function localPath(value: string | null | undefined): string {
  if (!value || value.length > 2000) return DEFAULT_PAGE;
  if (!/^\/(?![/\\])[\x21-\x7e]*$/.test(value)) return DEFAULT_PAGE;
  return value;
}
