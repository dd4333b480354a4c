import { Drop } from 'liquidjs';

/**
 * Rootly's `get` filter: `{{ incident.raw_severity | get: 'id' }}` reads one key of a hash (or an
 * index of a list), nil when absent, or the optional second argument. Own properties only, as
 * everywhere else in templates (no `constructor`, no prototype).
 */
export function getFilter(value: unknown, key: unknown, fallback: unknown = null): unknown {
  const target = value instanceof Drop ? value.valueOf() : value;
  if (target === null || typeof target !== 'object' || (typeof key !== 'string' && typeof key !== 'number')) return fallback;
  const name = String(key);
  return Object.prototype.hasOwnProperty.call(target, name) ? (target as Record<string, unknown>)[name] : fallback;
}
