import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import { slackSignature, verifySlackSignature } from '../../src/approval/slack-signature';
import { refusalOf } from '../../src/approval/decision-rules';

describe('Slack request signatures (v0) and who may decide', () => {
  const secret = '8f742231b10e8888abcd99yyyzzz85a5';
  const rawBody = Buffer.from('payload=%7B%22type%22%3A%22block_actions%22%7D');
  const now = 1_700_000_000_000;
  const ts = String(now / 1000);

  it('accepts Slack’s v0 signature and refuses a changed body, another secret, a missing header and a timestamp 5 minutes away', () => {
    const signature = slackSignature(secret, ts, rawBody);
    assert.match(signature, /^v0=[0-9a-f]{64}$/);
    assert.deepEqual(verifySlackSignature({ secret, rawBody, timestamp: ts, signature, nowMs: now }), { ok: true });
    assert.equal(verifySlackSignature({ secret, rawBody: Buffer.from(`${rawBody}x`), timestamp: ts, signature, nowMs: now }).ok, false);
    assert.equal(verifySlackSignature({ secret: 'other', rawBody, timestamp: ts, signature, nowMs: now }).ok, false);
    assert.equal(verifySlackSignature({ secret, rawBody, timestamp: undefined, signature, nowMs: now }).ok, false);
    assert.equal(verifySlackSignature({ secret, rawBody, timestamp: ts, signature: signature.slice(0, -1), nowMs: now }).ok, false);
    assert.equal(verifySlackSignature({ secret, rawBody, timestamp: ts, signature, nowMs: now + 299_000 }).ok, true);
    assert.deepEqual(verifySlackSignature({ secret, rawBody, timestamp: ts, signature, nowMs: now + 301_000 }), { ok: false, reason: 'X-Slack-Request-Timestamp is more than 5 minutes away' });
    assert.equal(verifySlackSignature({ secret, rawBody, timestamp: ts, signature, nowMs: now - 301_000 }).ok, false);
    assert.equal(verifySlackSignature({ secret, rawBody, timestamp: '1e9', signature, nowMs: now }).ok, false);
  });

  it('approving needs a listed approver who is not the requester; the requester may reject; a decided request refuses everyone', () => {
    const policy = { approvers: ['alice@example.com', 'U0BOB0001'], requestedBy: 'carol@example.com' };
    const req = (by: string, identities?: string[]) => ({ by, identities, reason: null, via: 'api' as const });
    assert.equal(refusalOf('approve', 'pending', policy, req('Alice@Example.com')), undefined);
    assert.equal(refusalOf('approve', 'pending', policy, req('U0BOB0001')), undefined);
    assert.equal(refusalOf('approve', 'pending', policy, req('mallory@example.com'))?.type, 'ApproverNotAllowed');
    assert.equal(refusalOf('approve', 'pending', policy, req('carol@example.com'))?.type, 'ApproverNotAllowed');
    assert.equal(refusalOf('approve', 'pending', { ...policy, approvers: null }, req('U0CAROL01', ['U0CAROL01', 'carol@example.com']))?.type, 'ApproverNotAllowed', 'a Slack user whose email is the requester’s');
    assert.equal(refusalOf('reject', 'pending', policy, req('carol@example.com')), undefined);
    assert.equal(refusalOf('reject', 'pending', policy, req('mallory@example.com'))?.type, 'ApproverNotAllowed');
    assert.equal(refusalOf('approve', 'approved', policy, req('alice@example.com'))?.type, 'NotAwaitingApproval');
    assert.equal(refusalOf('approve', 'pending', { approvers: null, requestedBy: null }, req('anyone@example.com')), undefined);
  });
});
