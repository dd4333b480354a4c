import type { WebApiArgs } from './web-api-request';

/**
 * Readers for method arguments. Form bodies deliver every value as a string; JSON bodies deliver
 * real JSON types. Slack accepts both spellings (`"length":"12"` and `"length":12`), so do these.
 */

/** A string argument; numbers and booleans are read as their text. */
export function stringArg(args: WebApiArgs, name: string): string | undefined {
  const value = args[name];
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

export type IntegerArg = { kind: 'absent' } | { kind: 'invalid' } | { kind: 'integer'; value: number };

export function integerArg(args: WebApiArgs, name: string): IntegerArg {
  const value = args[name];
  if (value === undefined || value === '') return { kind: 'absent' };
  if (typeof value === 'number') return Number.isSafeInteger(value) ? { kind: 'integer', value } : { kind: 'invalid' };
  if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) {
    const parsed = Number(value.trim());
    return Number.isSafeInteger(parsed) ? { kind: 'integer', value: parsed } : { kind: 'invalid' };
  }
  return { kind: 'invalid' };
}

/** Slack booleans: `true`/`1` (any JSON `true`). */
export function booleanArg(args: WebApiArgs, name: string): boolean {
  const value = args[name];
  return value === true || value === 1 || value === 'true' || value === '1';
}

export type JsonArg = { kind: 'absent' } | { kind: 'invalid' } | { kind: 'value'; value: unknown };

/**
 * An argument that is JSON: a JSON-encoded string in form bodies (the SDK JSON-stringifies arrays
 * and objects into form fields, slack-liquid.md A2), or a JSON value in JSON bodies.
 */
export function jsonArg(args: WebApiArgs, name: string): JsonArg {
  const value = args[name];
  if (value === undefined) return { kind: 'absent' };
  if (typeof value !== 'string') return { kind: 'value', value };
  try {
    return { kind: 'value', value: JSON.parse(value) as unknown };
  } catch {
    return { kind: 'invalid' };
  }
}

/** A reply body. Slack answers every platform outcome with HTTP 200 and `ok` (slack-liquid.md A4). */
export type WebApiReply = { ok: boolean } & Record<string, unknown>;

/**
 * `{"ok":false,"error":…}`. Detail lines go to `response_metadata.messages` as `[ERROR] …`, the
 * shape Slack uses to explain `invalid_arguments` (see the `invalid_attachments` sample in
 * soxtoby/SlackNet#241).
 */
export function platformError(error: string, ...details: string[]): WebApiReply {
  const reply: WebApiReply = { ok: false, error };
  if (details.length > 0) reply.response_metadata = { messages: details.map((detail) => `[ERROR] ${detail}`) };
  return reply;
}
