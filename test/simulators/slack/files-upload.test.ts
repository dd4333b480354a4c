import { describe, it, beforeEach, afterEach } from 'mocha';
import assert from 'node:assert/strict';
import { WebAPIPlatformError, type FilesCompleteUploadExternalResponse, type WebClient } from '@slack/web-api';
import { SlackSimulator, UPLOAD_METHOD } from './index';
import { postForm, rawRequest, rejectionOf, sdkClient } from './test-support';

/** Step 1 by hand: returns the ticket the simulator handed out. */
async function openUpload(client: WebClient, filename: string, length: number): Promise<{ fileId: string; uploadUrl: string }> {
  const res = await client.files.getUploadURLExternal({ filename, length });
  assert.ok(res.file_id && res.upload_url);
  return { fileId: res.file_id, uploadUrl: res.upload_url };
}

async function uploadBytes(uploadUrl: string, bytes: Buffer, contentType = 'application/octet-stream'): Promise<number> {
  const reply = await rawRequest(uploadUrl, { method: 'POST', headers: { 'Content-Type': contentType }, body: new Uint8Array(bytes) });
  return reply.status;
}

/**
 * `files.completeUploadExternal` with the `channels` CSV. The SDK's argument type only allows
 * `channel_id`, but the SDK sends whatever `apiCall` gets (slack-liquid.md A3), which is how
 * dynopulse shares one upload to several channels.
 */
function completeToChannels(client: WebClient, fileId: string, channels: string, title?: string) {
  return client.apiCall('files.completeUploadExternal', { files: [{ id: fileId, ...(title ? { title } : {}) }], channels });
}

function platformErrorCode(error: unknown): string {
  assert.ok(error instanceof WebAPIPlatformError, `expected WebAPIPlatformError, got ${String(error)}`);
  return error.data.error;
}

describe('Slack simulator: external file upload (files.getUploadURLExternal → upload → files.completeUploadExternal)', () => {
  let sim: SlackSimulator;
  let client: WebClient;

  beforeEach(async () => {
    sim = await SlackSimulator.start({
      channels: [
        { id: 'C1', name: 'ops', isMember: true },
        { id: 'C2', name: 'incidents', isMember: true },
        { id: 'C3', name: 'random' },
        { id: 'C4', name: 'old-ops', isMember: true, isArchived: true },
      ],
    });
    client = sdkClient(sim);
  });

  afterEach(() => sim.close());

  describe('filesUploadV2 through the real SDK', () => {
    it('runs the three steps in order and keeps the exact bytes, title, comment and thread', async () => {
      const content = 'line 1\nline 2 ✓\n';
      const res = await client.filesUploadV2({
        channel_id: 'C1',
        content,
        filename: 'output.txt',
        title: 'Command output',
        initial_comment: 'rake db:rollback finished',
        thread_ts: '1700000000.000100',
      });

      assert.deepEqual(
        sim.calls.map((call) => call.method),
        ['files.getUploadURLExternal', UPLOAD_METHOD, 'files.completeUploadExternal'],
      );
      assert.equal(sim.files.length, 1);
      const [file] = sim.files;
      assert.ok(file);
      assert.deepEqual(file.bytes, Buffer.from(content, 'utf8'));
      assert.equal(file.title, 'Command output');
      assert.equal(file.filename, 'output.txt');
      assert.deepEqual(file.channels, ['C1']);
      assert.equal(file.isPrivate, false);
      assert.equal(file.initialComment, 'rake db:rollback finished');
      assert.equal(file.threadTs, '1700000000.000100');
      assert.deepEqual(sim.uploadTickets, []);

      // The SDK nests one completeUploadExternal response per completion group (slack-liquid.md A3).
      const completion = res.files[0] as { files?: { id?: string; title?: string }[] };
      assert.deepEqual(completion.files, [{ id: file.id, title: 'Command output' }]);
      assert.match(file.id, /^F[0-9A-Z]+$/);
    });

    it('keeps binary bytes intact when the SDK sends them as multipart (part "body", filename "Untitled")', async () => {
      const bytes = Buffer.from([0x00, 0xff, 0x0d, 0x0a, 0x2d, 0x2d, 0x80, 0x7f]);
      await client.filesUploadV2({ channel_id: 'C1', file: bytes, filename: 'blob.bin' });
      const upload = sim.callsTo(UPLOAD_METHOD)[0];
      assert.match(upload?.contentType ?? '', /^multipart\/form-data; boundary=/);
      assert.deepEqual(sim.files[0]?.bytes, bytes);
    });

    it('rejects empty content with missing_argument before any bytes move', async () => {
      const error = await rejectionOf(() => client.filesUploadV2({ channel_id: 'C1', content: '', filename: 'empty.txt' }));
      assert.equal(platformErrorCode(error), 'missing_argument');
      assert.deepEqual(sim.uploadTickets, []);
      assert.deepEqual(sim.files, []);
      assert.deepEqual(sim.calls.map((call) => call.method), ['files.getUploadURLExternal']);
    });

    it('fails the whole helper with not_in_channel when the bot is not in the channel', async () => {
      const error = await rejectionOf(() => client.filesUploadV2({ channel_id: 'C3', content: 'x', filename: 'x.txt' }));
      assert.equal(platformErrorCode(error), 'not_in_channel');
      assert.deepEqual(sim.files, []);
    });
  });

  describe('files.getUploadURLExternal', () => {
    it('returns a loopback upload_url on this simulator and an F… file_id', async () => {
      const res = await client.files.getUploadURLExternal({ filename: 'a.txt', length: 3 });
      assert.match(res.upload_url ?? '', new RegExp(`^${sim.baseUrl}/upload/v1/[A-Za-z0-9_-]+$`));
      assert.match(res.file_id ?? '', /^F[0-9A-Z]+$/);
      assert.deepEqual(
        sim.uploadTickets.map((ticket) => [ticket.fileId, ticket.filename, ticket.declaredLength]),
        [[res.file_id, 'a.txt', 3]],
      );
    });

    it('answers invalid_arguments without a filename and for a non-integer length', async () => {
      assert.equal((await postForm(sim, 'files.getUploadURLExternal', { length: '3' })).json?.error, 'invalid_arguments');
      assert.equal((await postForm(sim, 'files.getUploadURLExternal', { filename: 'a.txt', length: '3.5' })).json?.error, 'invalid_arguments');
      assert.equal((await postForm(sim, 'files.getUploadURLExternal', { filename: 'a.txt' })).json?.error, 'invalid_arguments');
    });

    it('also answers GET with query arguments, as Slack does for its form methods', async () => {
      const reply = await rawRequest(`${sim.apiUrl}files.getUploadURLExternal?filename=get.txt&length=3`, {
        headers: { Authorization: `Bearer ${sim.botToken}` },
      });
      assert.equal(reply.json?.ok, true);
      assert.match(String(reply.json?.file_id), /^F/);
    });

    it('answers missing_argument for length=0', async () => {
      const reply = await postForm(sim, 'files.getUploadURLExternal', { filename: 'a.txt', length: '0' });
      assert.equal(reply.status, 200);
      assert.deepEqual(reply.json, { ok: false, error: 'missing_argument' });
    });

    it('refuses a snippet over 1 MB with snippet_too_large but allows the same size as a plain file', async () => {
      const big = 1024 * 1024 + 1;
      const snippet = await rejectionOf(() => client.files.getUploadURLExternal({ filename: 'big.txt', length: big, snippet_type: 'text' }));
      assert.equal(platformErrorCode(snippet), 'snippet_too_large');
      const plain = await client.files.getUploadURLExternal({ filename: 'big.txt', length: big });
      assert.equal(plain.ok, true);
    });
  });

  describe('the upload URL', () => {
    it('accepts raw bytes and answers 200 "OK - <n>"', async () => {
      const { fileId, uploadUrl } = await openUpload(client, 'raw.txt', 5);
      const reply = await rawRequest(uploadUrl, { method: 'POST', body: 'hello' });
      assert.equal(reply.status, 200);
      assert.equal(reply.text, 'OK - 5');
      assert.deepEqual(sim.uploadTickets.find((ticket) => ticket.fileId === fileId)?.bytes, Buffer.from('hello'));
    });

    it('answers 400 when the byte count differs from the declared length, and keeps the ticket open', async () => {
      const { fileId, uploadUrl } = await openUpload(client, 'short.txt', 10);
      assert.equal(await uploadBytes(uploadUrl, Buffer.from('12345')), 400);
      assert.equal(sim.uploadTickets.find((ticket) => ticket.fileId === fileId)?.bytes, undefined);
      assert.equal(await uploadBytes(uploadUrl, Buffer.from('1234567890')), 200);
    });

    it('answers 404 for an unknown ticket and 405 for a GET', async () => {
      assert.equal((await rawRequest(`${sim.baseUrl}/upload/v1/not-a-ticket`, { method: 'POST', body: 'x' })).status, 404);
      const { uploadUrl } = await openUpload(client, 'a.txt', 1);
      assert.equal((await rawRequest(uploadUrl)).status, 405);
    });

    it('stops working once the file is completed', async () => {
      const { fileId, uploadUrl } = await openUpload(client, 'a.txt', 1);
      assert.equal(await uploadBytes(uploadUrl, Buffer.from('a')), 200);
      await client.files.completeUploadExternal({ files: [{ id: fileId }], channel_id: 'C1' });
      assert.equal(await uploadBytes(uploadUrl, Buffer.from('b')), 404);
    });
  });

  describe('files.completeUploadExternal', () => {
    it('can complete a file only once: the second call is file_not_found', async () => {
      await client.filesUploadV2({ channel_id: 'C1', content: 'once', filename: 'once.txt' });
      const fileId = sim.files[0]?.id;
      assert.ok(fileId);
      const error = await rejectionOf(() => client.files.completeUploadExternal({ files: [{ id: fileId }], channel_id: 'C1' }));
      assert.equal(platformErrorCode(error), 'file_not_found');
      assert.equal(sim.files.length, 1);
    });

    it('answers file_not_found for an unknown id and for a file whose bytes never arrived', async () => {
      const unknown = await rejectionOf(() => client.files.completeUploadExternal({ files: [{ id: 'F0NOSUCHFILE' }], channel_id: 'C1' }));
      assert.equal(platformErrorCode(unknown), 'file_not_found');
      const { fileId } = await openUpload(client, 'never.txt', 4);
      const notUploaded = await rejectionOf(() => client.files.completeUploadExternal({ files: [{ id: fileId }], channel_id: 'C1' }));
      assert.equal(platformErrorCode(notUploaded), 'file_not_found');
      assert.equal(sim.uploadTickets.length, 1);
    });

    it('shares one upload to several channels with channels: "C1,C2"', async () => {
      const { fileId, uploadUrl } = await openUpload(client, 'multi.txt', 5);
      assert.equal(await uploadBytes(uploadUrl, Buffer.from('multi')), 200);
      const res = (await completeToChannels(client, fileId, 'C1,C2', 'Output')) as FilesCompleteUploadExternalResponse;
      assert.deepEqual(res.files, [{ id: fileId, title: 'Output' }]);
      assert.deepEqual(sim.files[0]?.channels, ['C1', 'C2']);
    });

    it('validates every destination like chat.postMessage and completes nothing on failure', async () => {
      const { fileId, uploadUrl } = await openUpload(client, 'a.txt', 1);
      assert.equal(await uploadBytes(uploadUrl, Buffer.from('a')), 200);
      const complete = (channels: string) => rejectionOf(() => completeToChannels(client, fileId, channels));
      assert.equal(platformErrorCode(await complete('C1,C9')), 'channel_not_found');
      assert.equal(platformErrorCode(await complete('C1,C3')), 'not_in_channel');
      assert.equal(platformErrorCode(await complete('C4')), 'is_archived');
      assert.equal(sim.files.length, 0);
      // The ticket is still open, so the corrected call succeeds.
      await completeToChannels(client, fileId, 'C1');
      assert.deepEqual(sim.files[0]?.channels, ['C1']);
    });

    it('takes channel IDs only: "#ops" is channel_not_found even though chat.postMessage resolves it', async () => {
      const { fileId, uploadUrl } = await openUpload(client, 'a.txt', 1);
      assert.equal(await uploadBytes(uploadUrl, Buffer.from('a')), 200);
      const error = await rejectionOf(() => client.files.completeUploadExternal({ files: [{ id: fileId }], channel_id: '#ops' }));
      assert.equal(platformErrorCode(error), 'channel_not_found');
    });

    it('answers channels_limit_exceeded for more than 100 channels', async () => {
      const { fileId, uploadUrl } = await openUpload(client, 'a.txt', 1);
      assert.equal(await uploadBytes(uploadUrl, Buffer.from('a')), 200);
      const channels = Array.from({ length: 101 }, (_, index) => `C${1000 + index}`).join(',');
      const error = await rejectionOf(() => completeToChannels(client, fileId, channels));
      assert.equal(platformErrorCode(error), 'channels_limit_exceeded');
    });

    it('refuses thread_ts with more than one channel', async () => {
      const { fileId, uploadUrl } = await openUpload(client, 'a.txt', 1);
      assert.equal(await uploadBytes(uploadUrl, Buffer.from('a')), 200);
      const reply = await postForm(sim, 'files.completeUploadExternal', {
        files: JSON.stringify([{ id: fileId }]),
        channels: 'C1,C2',
        thread_ts: '1700000000.000100',
      });
      assert.equal(reply.json?.error, 'invalid_arguments');
    });

    it('completes a file without a destination as private', async () => {
      const { fileId, uploadUrl } = await openUpload(client, 'private.txt', 1);
      assert.equal(await uploadBytes(uploadUrl, Buffer.from('p')), 200);
      const res = await client.files.completeUploadExternal({ files: [{ id: fileId }] });
      assert.deepEqual(res.files, [{ id: fileId, title: 'private.txt' }]);
      assert.deepEqual(sim.files[0]?.channels, []);
      assert.equal(sim.files[0]?.isPrivate, true);
    });

    it('answers invalid_arguments when files is missing or not a JSON array', async () => {
      assert.equal((await postForm(sim, 'files.completeUploadExternal', { channel_id: 'C1' })).json?.error, 'invalid_arguments');
      assert.equal((await postForm(sim, 'files.completeUploadExternal', { files: 'F123', channel_id: 'C1' })).json?.error, 'invalid_arguments');
      assert.equal((await postForm(sim, 'files.completeUploadExternal', { files: '[]', channel_id: 'C1' })).json?.error, 'invalid_arguments');
    });
  });
});
