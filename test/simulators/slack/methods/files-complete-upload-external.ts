import type { UploadTicket } from '../upload-store';
import { jsonArg, platformError, stringArg, type WebApiReply } from '../web-api-args';
import type { WebApiArgs } from '../web-api-request';
import type { MethodContext, MethodHandler } from './method-context';

/** "Comma-separated string of channel IDs" is limited to 100 (`channels_limit_exceeded`, A3/A4). */
export const MAX_SHARE_CHANNELS = 100;

interface FileToComplete {
  readonly ticket: UploadTicket;
  readonly title: string;
}

/**
 * `files.completeUploadExternal` (slack-liquid.md A3 step 3, A8.6).
 *
 * - `files` is a JSON array of `{id, title?}`; a missing or malformed value → `invalid_arguments`.
 * - Every id must name an open upload whose bytes arrived. Unknown id, bytes never uploaded, or
 *   already completed → `file_not_found` ("could not find the file from the upload ticket"; the
 *   method "can only be called once", A3 — the exact code for a second call is UNCONFIRMED).
 * - Destinations: `channel_id` and/or `channels` (CSV, at most 100 → `channels_limit_exceeded`).
 *   Each is checked like `chat.postMessage` (`channel_not_found`, `is_archived`,
 *   `not_in_channel`), except that only IDs are accepted: the method documents "Channel ID(s)",
 *   so `#ops` is just an unknown ID → `channel_not_found`. `is_archived` is not in this method's
 *   documented error list; the code Slack really gives for an archived channel is UNCONFIRMED.
 * - `thread_ts` needs exactly one channel ("make sure to provide only one channel when using
 *   'thread_ts'", method docs); with several → `invalid_arguments` (code UNCONFIRMED).
 * - No destination: the file is completed but private ("If not specified the file will be
 *   private", method docs).
 * - All-or-nothing: any error leaves every ticket open, so a corrected call can still complete.
 * - Success: `{"ok":true,"files":[{"id","title"}]}` (A3), title defaulting to the filename.
 */
export const filesCompleteUploadExternal: MethodHandler = (args, context) => {
  const files = readFiles(args);
  if (!Array.isArray(files)) return files;

  const destinations = readDestinations(args);
  if (!Array.isArray(destinations)) return destinations;

  const threadTs = stringArg(args, 'thread_ts') || undefined;
  if (threadTs !== undefined && destinations.length > 1) {
    return platformError('invalid_arguments', 'only one channel can be used with thread_ts');
  }

  const toComplete = checkFiles(files, context);
  if (!Array.isArray(toComplete)) return toComplete;

  for (const channelId of destinations) {
    const resolution = context.channels.resolveForPosting(channelId, { allowNames: false });
    if (!resolution.ok) return platformError(resolution.error);
  }

  const initialComment = stringArg(args, 'initial_comment');
  const blocks = jsonArg(args, 'blocks');
  const completed = toComplete.map(({ ticket, title }) =>
    context.uploads.complete(ticket, {
      title,
      channels: destinations,
      isPrivate: destinations.length === 0,
      initialComment,
      threadTs,
      blocks: blocks.kind === 'value' ? blocks.value : undefined,
    }),
  );
  return { ok: true, files: completed.map((file) => ({ id: file.id, title: file.title })) };
};

function readFiles(args: WebApiArgs): { id: string; title?: string }[] | WebApiReply {
  const parsed = jsonArg(args, 'files');
  if (parsed.kind === 'absent') return platformError('invalid_arguments', 'missing required field: files');
  if (parsed.kind === 'invalid' || !Array.isArray(parsed.value) || parsed.value.length === 0) {
    return platformError('invalid_arguments', 'files must be a non-empty JSON array of {"id","title"}');
  }
  const files: { id: string; title?: string }[] = [];
  for (const entry of parsed.value as unknown[]) {
    const item = entry as { id?: unknown; title?: unknown } | null;
    if (typeof item !== 'object' || item === null || typeof item.id !== 'string' || (item.title !== undefined && typeof item.title !== 'string')) {
      return platformError('invalid_arguments', 'each files entry needs a string "id" and an optional string "title"');
    }
    files.push({ id: item.id, title: item.title as string | undefined });
  }
  return files;
}

function readDestinations(args: WebApiArgs): string[] | WebApiReply {
  for (const name of ['channel_id', 'channels']) {
    // A non-string here (say a JSON array) must not silently turn into "no destination".
    if (args[name] !== undefined && typeof args[name] !== 'string') {
      return platformError('invalid_arguments', `${name} must be a string`);
    }
  }
  const ids = [stringArg(args, 'channel_id') ?? '', ...(stringArg(args, 'channels') ?? '').split(',')]
    .map((id) => id.trim())
    .filter(Boolean);
  const unique = [...new Set(ids)];
  if (unique.length > MAX_SHARE_CHANNELS) return platformError('channels_limit_exceeded');
  return unique;
}

function checkFiles(files: { id: string; title?: string }[], { uploads }: MethodContext): FileToComplete[] | WebApiReply {
  const seen = new Set<string>();
  const checked: FileToComplete[] = [];
  for (const { id, title } of files) {
    const ticket = uploads.ticketForFileId(id);
    if (seen.has(id) || !ticket || !ticket.bytes) return platformError('file_not_found');
    seen.add(id);
    checked.push({ ticket, title: title ?? ticket.filename });
  }
  return checked;
}
