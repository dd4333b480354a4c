import { mediaType } from './http-io';
import { parseMultipart } from './multipart';
import type { UploadStore } from './upload-store';

/** How the upload endpoint answered one POST. */
export interface UploadOutcome {
  readonly status: number;
  readonly text: string;
  /** The file the ticket belongs to, when the ticket was found. */
  readonly fileId?: string;
  /** Why the upload was refused. */
  readonly error?: string;
}

/**
 * `POST /upload/v1/<opaque>`: step 2 of the upload flow (slack-liquid.md A3, A8.5).
 *
 * - Accepts `multipart/form-data` with exactly one file part (the SDK sends part `body`, filename
 *   `Untitled`; Slack's own example uses `-F filename=@file`, so the part name is not checked)
 *   and, for any other or no `Content-Type`, the raw body bytes ("Files can be sent as raw bytes
 *   or can be multipart form encoded", files.getUploadURLExternal docs).
 * - Unknown or already completed ticket → 404.
 * - A byte count different from the `length` declared in step 1 → 400, and the ticket stays open
 *   so the client can retry. Real Slack's strictness here is UNCONFIRMED (A8.5 calls the check
 *   optional); the simulator is strict because a client that declares the wrong length has a bug.
 * - Success → 200 `OK - <n>` (the body text is reportedly Slack's and is ignored by the SDK, A3).
 *   A second successful upload to the same ticket replaces the bytes.
 */
export async function acceptUpload(uploads: UploadStore, opaque: string, contentType: string | undefined, body: Buffer): Promise<UploadOutcome> {
  const ticket = uploads.ticketForOpaque(opaque);
  if (!ticket) return { status: 404, text: 'Not Found', error: 'unknown_upload_ticket' };

  let bytes = body;
  if (mediaType(contentType) === 'multipart/form-data') {
    const multipart = await parseMultipart(contentType ?? '', body);
    if (!multipart) return { status: 400, text: 'Bad Request: malformed multipart body', fileId: ticket.fileId, error: 'invalid_multipart' };
    const [file, ...others] = multipart.files;
    if (!file || others.length > 0) {
      return { status: 400, text: 'Bad Request: expected exactly one file part', fileId: ticket.fileId, error: 'invalid_multipart' };
    }
    bytes = file.bytes;
  }

  if (bytes.length !== ticket.declaredLength) {
    return {
      status: 400,
      text: `Bad Request: received ${bytes.length} bytes, declared length ${ticket.declaredLength}`,
      fileId: ticket.fileId,
      error: 'length_mismatch',
    };
  }

  ticket.bytes = bytes;
  ticket.uploadedAt = new Date();
  ticket.uploadCount += 1;
  return { status: 200, text: `OK - ${bytes.length}`, fileId: ticket.fileId };
}
