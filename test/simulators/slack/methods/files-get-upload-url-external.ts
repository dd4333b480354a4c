import { integerArg, platformError, stringArg } from '../web-api-args';
import type { MethodHandler } from './method-context';

/** Snippets are limited to 1 MB (slack-liquid.md A7); whether Slack means 10^6 or 2^20 bytes is UNCONFIRMED. */
export const SNIPPET_MAX_BYTES = 1024 * 1024;
/** `alt_txt_too_large`: "longer than the limit of 1000 character" (method docs, slack_kit mirror). */
const ALT_TXT_MAX_CHARS = 1000;

/**
 * `files.getUploadURLExternal` (slack-liquid.md A3 step 1, A8.4).
 *
 * - `filename` is required: missing → `invalid_arguments`.
 * - `length` is a required integer: missing, not an integer or negative → `invalid_arguments`;
 *   `0` → `missing_argument` ("typically only occurs when the length provided is 0", A3/A4).
 *   Which code Slack gives a missing `length` is UNCONFIRMED.
 * - `snippet_type` with `length` over 1 MB → `snippet_too_large` (A7).
 * - Success: `{ok, upload_url, file_id}` where `upload_url` is this simulator's own loopback
 *   `/upload/v1/<opaque>` (A2: the SDK POSTs to whatever absolute URL it is given).
 *
 * The SDK sends `alt_text` while Slack documents `alt_txt` (A3); only `alt_txt` is checked.
 */
export const filesGetUploadURLExternal: MethodHandler = (args, { uploads, uploadUrlBase }) => {
  const filename = stringArg(args, 'filename');
  if (!filename) return platformError('invalid_arguments', 'missing required field: filename');

  const length = integerArg(args, 'length');
  if (length.kind === 'absent') return platformError('invalid_arguments', 'missing required field: length');
  if (length.kind === 'invalid' || length.value < 0) return platformError('invalid_arguments', 'length must be a non-negative integer');
  if (length.value === 0) return platformError('missing_argument');

  const snippetType = stringArg(args, 'snippet_type') || undefined;
  if (snippetType !== undefined && length.value > SNIPPET_MAX_BYTES) return platformError('snippet_too_large');

  const altText = stringArg(args, 'alt_txt');
  if (altText !== undefined && altText.length > ALT_TXT_MAX_CHARS) return platformError('alt_txt_too_large');

  const ticket = uploads.openTicket({ uploadUrlBase, filename, declaredLength: length.value, snippetType, altText });
  return { ok: true, upload_url: ticket.uploadUrl, file_id: ticket.fileId };
};
