// Heroku's Range pagination (heroku.md §1 "Pagination (Range)", DC-CL314, DC-CL321):
//   request   Range: <field> [<start>]..[<end>][; max=N[, order=desc]]   (start may be prefixed
//             with "]" = exclusive, which is how Next-Range continues after the last item)
//   response  Accept-Ranges: <sortable fields>; Content-Range: <field> <first>..<last>; max=N
//             and, while more items remain, 206 Partial Content + Next-Range: <field> ]<last>..; max=N
// Without a Range header the first page of `defaultMax` items sorted by the first field is
// answered, so a client that ignores Next-Range silently sees only that page.
import { badRequest } from './heroku-error';

export type SortValue = string | number;

/** A sortable field of one list endpoint. */
export interface RangeField<T> {
  readonly name: string;
  readonly value: (item: T) => SortValue;
}

export interface PageLimits {
  /** Page size when the Range header names no max (Heroku: 200). */
  readonly defaultMax: number;
  /** Largest page ever answered; a bigger `max` is capped (Heroku: 1000). */
  readonly maxPageSize: number;
}

export interface Page<T> {
  readonly status: 200 | 206;
  readonly items: T[];
  readonly headers: Record<string, string>;
}

interface RangeRequest {
  field: string;
  start: string | null;
  startExclusive: boolean;
  end: string | null;
  max: number | null;
  order: 'asc' | 'desc';
}

/** Parses a Range header; 400 `bad_request` for anything Heroku would not understand. */
export function parseRange(header: string, sortable: readonly string[]): RangeRequest {
  const match = /^\s*([A-Za-z_.]+)\s*([^;]*?)\s*(?:;(.*))?$/.exec(header);
  if (!match) throw badRequest(`Invalid Range header: ${JSON.stringify(header)}.`);
  const [, field, span, params] = match as unknown as [string, string, string, string | undefined];
  if (!sortable.includes(field)) {
    throw badRequest(`Invalid Range header: ${field} is not a sortable field. Acceptable ranges are: ${sortable.join(', ')}.`);
  }
  const request: RangeRequest = { field, start: null, startExclusive: false, end: null, max: null, order: 'asc' };
  if (span !== '') {
    const dots = span.indexOf('..');
    if (dots < 0) throw badRequest(`Invalid Range header: expected "<start>..<end>" after ${field}.`);
    let start = span.slice(0, dots).trim();
    let end = span.slice(dots + 2).trim();
    if (start.startsWith(']')) {
      request.startExclusive = true;
      start = start.slice(1);
    } else if (start.startsWith('[')) {
      start = start.slice(1);
    }
    if (end.endsWith(']') || end.endsWith('[')) end = end.slice(0, -1);
    // DC-CL314: end-only ranges are not supported.
    if (start === '' && end !== '') throw badRequest('Invalid Range header: end-only ranges are not supported.');
    request.start = start === '' ? null : start;
    request.end = end === '' ? null : end;
  }
  for (const raw of (params ?? '').split(/[,;]/)) {
    const param = raw.trim();
    if (param === '') continue;
    const [key, value] = param.split('=').map((s) => s.trim());
    if (key === 'max') {
      if (!value || !/^\d+$/.test(value) || Number(value) < 1) throw badRequest(`Invalid Range header: max must be a positive integer.`);
      request.max = Number(value);
    } else if (key === 'order') {
      if (value !== 'asc' && value !== 'desc') throw badRequest(`Invalid Range header: order must be asc or desc.`);
      request.order = value;
    } else {
      throw badRequest(`Invalid Range header: unknown parameter ${JSON.stringify(key)}.`);
    }
  }
  return request;
}

function compare(a: SortValue, b: SortValue): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const sa = String(a);
  const sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/** Converts a bound from the header into the field's type (numbers for numeric fields). */
function bound(raw: string, sample: SortValue | undefined): SortValue {
  if (typeof sample === 'number') {
    const n = Number(raw);
    if (!Number.isFinite(n)) throw badRequest(`Invalid Range header: ${JSON.stringify(raw)} is not a number.`);
    return n;
  }
  return raw;
}

/** Answers one page of `all` for the request's Range header (undefined = no header). */
export function paginate<T>(all: readonly T[], rangeHeader: string | undefined, fields: readonly RangeField<T>[], limits: PageLimits): Page<T> {
  const names = fields.map((f) => f.name);
  const first = fields[0];
  if (!first) throw new Error('a list endpoint needs at least one sortable field');
  const request: RangeRequest = rangeHeader === undefined || rangeHeader.trim() === ''
    ? { field: first.name, start: null, startExclusive: false, end: null, max: null, order: 'asc' }
    : parseRange(rangeHeader, names);
  const field = fields.find((f) => f.name === request.field) ?? first;
  const max = Math.min(request.max ?? limits.defaultMax, limits.maxPageSize);
  const direction = request.order === 'desc' ? -1 : 1;
  const sorted = [...all].sort((a, b) => direction * compare(field.value(a), field.value(b)));
  const sample = sorted[0] === undefined ? undefined : field.value(sorted[0]);
  const start = request.start === null ? null : bound(request.start, sample);
  const end = request.end === null ? null : bound(request.end, sample);
  const inRange = sorted.filter((item) => {
    const v = field.value(item);
    if (start !== null) {
      const c = direction * compare(v, start);
      if (c < 0 || (c === 0 && request.startExclusive)) return false;
    }
    if (end !== null && direction * compare(v, end) > 0) return false;
    return true;
  });
  const items = inRange.slice(0, max);
  const orderSuffix = request.order === 'desc' ? ', order=desc' : '';
  const headers: Record<string, string> = { 'Accept-Ranges': names.join(', ') };
  const firstItem = items[0];
  const lastItem = items[items.length - 1];
  if (firstItem !== undefined && lastItem !== undefined) {
    headers['Content-Range'] = `${field.name} ${field.value(firstItem)}..${field.value(lastItem)}; max=${max}${orderSuffix}`;
  }
  if (inRange.length > items.length && lastItem !== undefined) {
    headers['Next-Range'] = `${field.name} ]${field.value(lastItem)}..; max=${max}${orderSuffix}`;
    return { status: 206, items, headers };
  }
  return { status: 200, items, headers };
}
