import { describe, it, beforeEach, afterEach } from 'mocha';
import assert from 'node:assert/strict';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { WebAPIHTTPError, WebAPIPlatformError, WebAPIRateLimitedError, WebAPIRequestError, type WebClient } from '@slack/web-api';
import { ANY_METHOD, SlackSimulator, UPLOAD_METHOD } from './index';
import { rejectionOf, sdkClient } from './test-support';

describe('Slack simulator: fault injection', () => {
  let sim: SlackSimulator;
  let client: WebClient;

  beforeEach(async () => {
    sim = await SlackSimulator.start({ channels: [{ id: 'C1', name: 'ops', isMember: true }] });
    client = sdkClient(sim);
  });

  afterEach(() => sim.close());

  it('answers 429 with Retry-After: 1, which the SDK surfaces as WebAPIRateLimitedError with retryAfter 1', async () => {
    sim.faults.rateLimit('chat.postMessage', 1);
    const error = await rejectionOf(() => client.chat.postMessage({ channel: 'C1', text: 'x' }));
    assert.ok(error instanceof WebAPIRateLimitedError, `expected WebAPIRateLimitedError, got ${String(error)}`);
    assert.equal(error.retryAfter, 1);
    assert.equal(sim.messages.length, 0);
    assert.deepEqual(sim.calls.map((call) => [call.status, call.error, call.fault]), [[429, 'ratelimited', 'rate_limited']]);
    // One shot: the next call goes through.
    await client.chat.postMessage({ channel: 'C1', text: 'x' });
    assert.equal(sim.messages.length, 1);
  });

  it('answers HTTP 500, which the SDK surfaces as WebAPIHTTPError', async () => {
    sim.faults.serverError('files.getUploadURLExternal');
    const error = await rejectionOf(() => client.filesUploadV2({ channel_id: 'C1', content: 'x', filename: 'x.txt' }));
    assert.ok(error instanceof WebAPIHTTPError, `expected WebAPIHTTPError, got ${String(error)}`);
    assert.equal(error.statusCode, 500);
    assert.deepEqual(sim.uploadTickets, []);
  });

  it('answers a non-JSON 200, which the SDK surfaces as a platform error carrying the raw text', async () => {
    sim.faults.nonJson('auth.test', 1, '<html>maintenance</html>');
    const error = await rejectionOf(() => client.auth.test());
    assert.ok(error instanceof WebAPIPlatformError);
    assert.equal(error.data.error, '<html>maintenance</html>');
  });

  it('answers ok:false with any error and extra fields', async () => {
    sim.faults.platformError('chat.postMessage', 'missing_scope', 1, { needed: 'chat:write', provided: 'files:write' });
    const error = await rejectionOf(() => client.chat.postMessage({ channel: 'C1', text: 'x' }));
    assert.ok(error instanceof WebAPIPlatformError);
    assert.equal(error.data.error, 'missing_scope');
    assert.equal((error.data as { needed?: string }).needed, 'chat:write');
  });

  it('repeats a fault the given number of times, per method, with ANY_METHOD as a fallback', async () => {
    sim.faults.platformError('chat.postMessage', 'internal_error', 2);
    sim.faults.platformError(ANY_METHOD, 'fatal_error');
    assert.equal(sim.faults.pending(), 3);
    const codes: string[] = [];
    for (let index = 0; index < 3; index += 1) {
      const error = await rejectionOf(() => client.chat.postMessage({ channel: 'C1', text: 'x' }));
      assert.ok(error instanceof WebAPIPlatformError);
      codes.push(error.data.error);
    }
    assert.deepEqual(codes, ['internal_error', 'internal_error', 'fatal_error']);
    assert.equal(sim.faults.pending(), 0);
    await client.chat.postMessage({ channel: 'C1', text: 'x' });
  });

  it('delays a reply past the client timeout, which the SDK surfaces as WebAPIRequestError', async () => {
    sim.faults.delay('auth.test', 30_000);
    const impatient = sdkClient(sim, sim.botToken, { timeout: 50 });
    const error = await rejectionOf(() => impatient.auth.test());
    assert.ok(error instanceof WebAPIRequestError, `expected WebAPIRequestError, got ${String(error)}`);
  });

  it('handles a delayed call normally once the delay is over', async () => {
    sim.faults.delay('chat.postMessage', 20);
    await client.chat.postMessage({ channel: 'C1', text: 'late' });
    assert.equal(sim.messages[0]?.text, 'late');
    assert.equal(sim.calls[0]?.fault, 'delay');
  });

  it('can fail the upload endpoint, which makes filesUploadV2 fail before completion', async () => {
    sim.faults.serverError(UPLOAD_METHOD);
    const error = await rejectionOf(() => client.filesUploadV2({ channel_id: 'C1', content: 'x', filename: 'x.txt' }));
    assert.ok(error instanceof WebAPIHTTPError, `expected WebAPIHTTPError, got ${String(error)}`);
    assert.equal(error.statusCode, 500);
    assert.deepEqual(sim.files, []);
    assert.equal(sim.uploadTickets.length, 1);
  });

  it('closes promptly while a delayed call is still pending', async () => {
    sim.faults.delay('auth.test', 60_000);
    const pending = rejectionOf(() => client.auth.test());
    // The fault is consumed when the request reaches the simulator.
    while (sim.faults.pending() > 0) await nextTurn();
    await sim.close();
    assert.ok((await pending) instanceof WebAPIRequestError);
  });
});
