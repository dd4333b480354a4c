import type { SlackFault } from './faults';

/** One request the simulator answered, as tests see it. */
export interface RecordedCall {
  /** Web API method name (`chat.postMessage`), or `UPLOAD_METHOD` for the upload endpoint. */
  readonly method: string;
  /** HTTP verb (`POST`, `GET`, …). */
  readonly httpMethod: string;
  /** Request `Content-Type`, if any. */
  readonly contentType?: string;
  /**
   * The merged query, form, multipart or JSON arguments, with any `token` replaced by
   * `[REDACTED]`. For the upload endpoint: `{ fileId, bytes }`.
   */
  readonly args: Readonly<Record<string, unknown>>;
  /** Where the request presented a token: the `Authorization` header, a form field, or nowhere. */
  readonly tokenSource: 'header' | 'form' | 'none';
  /** HTTP status of the reply. */
  readonly status: number;
  /** The reply's `ok` (for the upload endpoint: status 200). */
  readonly ok: boolean;
  /** The Slack error code, or a short reason for non-JSON/HTTP-level failures. */
  readonly error?: string;
  /** The injected fault that shaped this reply, if any. */
  readonly fault?: SlackFault['kind'];
  readonly at: Date;
}

export const REDACTED = '[REDACTED]';

/** Copies `args` with the token removed from view. */
export function redactArgs(args: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...args };
  if ('token' in copy) copy.token = REDACTED;
  return copy;
}
