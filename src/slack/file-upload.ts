import { Readable } from 'node:stream';
import type { WebClient } from '@slack/web-api';

// Slack's external upload in its three steps (slack-liquid.md A3), called one by one so that the
// caller can record progress between them: `files.completeUploadExternal` works once per file,
// and a retried activity must never post twice.

export async function openUpload(client: WebClient, filename: string, length: number): Promise<{ fileId: string; uploadUrl: string }> {
  const res = await client.files.getUploadURLExternal({ filename, length });
  if (!res.file_id || !res.upload_url) throw new Error('files.getUploadURLExternal returned no file_id/upload_url');
  return { fileId: res.file_id, uploadUrl: res.upload_url };
}

/** POSTs the file's bytes as a stream (never the whole output in memory); exactly `length` bytes. `signal` aborts it. */
export async function uploadBytes(uploadUrl: string, token: string, length: number, body: AsyncIterable<Buffer>, signal?: AbortSignal): Promise<void> {
  const res = await fetch(uploadUrl, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/octet-stream', 'Content-Length': String(length) },
    // One chunk read ahead at most: the output is read from storage as the upload consumes it.
    body: Readable.toWeb(Readable.from(body, { highWaterMark: 1 }), { strategy: { highWaterMark: 1 } }) as ReadableStream<Uint8Array>,
    duplex: 'half',
    signal: AbortSignal.any([AbortSignal.timeout(10 * 60_000), ...(signal ? [signal] : [])]),
  } as RequestInit & { duplex: 'half' });
  await res.arrayBuffer().catch(() => undefined);
  if (res.status !== 200) throw new UploadRejectedError(res.status);
}

export class UploadRejectedError extends Error {
  override name = 'UploadRejectedError';
  constructor(readonly status: number) {
    super(`Slack's upload URL answered HTTP ${status}`);
  }
}

/**
 * Shares the uploaded file in every channel at once, with a comment. The SDK's typed arguments
 * have no `channels`, hence apiCall (comma-separated ids, slack-liquid.md A3).
 */
export async function completeUpload(client: WebClient, file: { fileId: string; title: string }, channelIds: readonly string[], comment: string): Promise<void> {
  await client.apiCall('files.completeUploadExternal', {
    files: [{ id: file.fileId, title: file.title }],
    channels: channelIds.join(','),
    initial_comment: comment,
  });
}

/** Shares the uploaded file in one message's thread (`thread_ts` takes exactly one channel: slack-liquid.md A3). */
export async function completeUploadInThread(client: WebClient, file: { fileId: string; title: string }, channelId: string, threadTs: string | null, comment: string): Promise<void> {
  await client.apiCall('files.completeUploadExternal', {
    files: [{ id: file.fileId, title: file.title }],
    channel_id: channelId,
    ...(threadTs ? { thread_ts: threadTs } : {}),
    initial_comment: comment,
  });
}
