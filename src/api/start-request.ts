import { randomUUID } from 'node:crypto';
import { RUN_ID_PATTERN } from '../command-runs/run-id';
import { badRequest } from './http-error';

/**
 * The body of a POST that starts a workflow (a command run, a rollback): the workflow's input plus
 * an optional caller-chosen `id` (the idempotency key; a random one by default). Bad input is a 400
 * `invalid_input` with the parser's message.
 */
export function parseStartRequest<T>(body: unknown, workflowType: string, parse: (raw: unknown) => { ok: true; input: T } | { ok: false; message: string }): { id: string; input: T } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest(`the body must be a JSON object (the ${workflowType} input)`, 'invalid_input');
  const { id = randomUUID(), ...rest } = body as Record<string, unknown>;
  if (typeof id !== 'string' || !RUN_ID_PATTERN.test(id)) throw badRequest('id must be 1-100 characters: letters, digits, ".", "_", ":" or "-"', 'invalid_input');
  const parsed = parse(rest);
  if (!parsed.ok) throw badRequest(parsed.message, 'invalid_input');
  return { id, input: parsed.input };
}
