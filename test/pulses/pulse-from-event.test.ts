import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, it } from 'mocha';
import { InvalidHerokuEventError, parseHerokuEvent } from '../../src/pulses/heroku-event';
import { interpretEvent } from '../../src/pulses/pulse-from-event';
import { verifyHerokuSignature } from '../../src/pulses/webhook-signature';

// Payloads shaped like the real captures (heroku.md §4.3, §5.1, §5.2): note the two envelope
// timestamp formats (`+00:00` for builds, microseconds for releases).
const APP = { id: '0d7e1a5c-7a3f-4b8e-9a43-5b8b1c3e2f10', name: 'shop-api' };
const USER = { id: '5b0f3c1e-0f9a-4b3c-8d7e-2a1b3c4d5e6f', email: 'dev@example.com' };
const SHA = '1a5f89db5e2c3b4a69788766554433221100aabb';
const received = new Date('2025-05-17T12:00:00Z');

function envelope(resource: string, action: string, data: Record<string, unknown>, createdAt: string): Record<string, unknown> {
  return {
    id: '4b1f0f8e-7f0a-4c53-9a5e-2f3b1d0c9e88',
    data,
    actor: USER,
    action,
    version: 'application/vnd.heroku+json; version=3',
    resource,
    sequence: null,
    created_at: createdAt,
    updated_at: createdAt,
    published_at: '2025-05-17T11:37:58Z',
    previous_data: {},
    webhook_metadata: {
      attempt: { id: 'a1' },
      delivery: { id: 'd1' },
      event: { id: '4b1f0f8e-7f0a-4c53-9a5e-2f3b1d0c9e88', include: `api:${resource}` },
      webhook: { id: 'w1' },
    },
  };
}

function build(status: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return envelope(
    'build',
    status === 'pending' ? 'create' : 'update',
    {
      id: '9c0e8b0a-1b2c-4d3e-8f4a-5b6c7d8e9f00',
      app: APP,
      slug: status === 'succeeded' ? { id: 'slug-1', commit: SHA, commit_description: '' } : null,
      user: USER,
      status,
      release: status === 'succeeded' ? { id: 'rel-1', version: 42 } : null,
      created_at: '2025-05-17T11:37:00Z',
      updated_at: '2025-05-17T11:37:50Z',
      source_blob: { url: `https://codeload.github.com/x/y/legacy.tar.gz/${SHA}`, version: SHA, checksum: null },
      ...extra,
    },
    '2025-05-17T11:37:00+00:00',
  );
}

function release(action: string, status: string, current: boolean, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return envelope(
    'release',
    action,
    {
      id: 'rel-1',
      app: { ...APP, process_tier: 'basic' },
      slug: { id: 'slug-1', commit: SHA, commit_description: '' },
      user: USER,
      status,
      current,
      version: 42,
      description: 'Deploy 1a5f89db',
      created_at: '2025-05-17T11:37:52Z',
      updated_at: '2025-05-17T11:37:58Z',
      ...extra,
    },
    '2025-05-17T11:37:58.404020Z',
  );
}

const interpret = (body: Record<string, unknown>) => interpretEvent(parseHerokuEvent(body), received);

describe('Heroku events → pulses (pure)', () => {
  it('build events make pulses with the exact CONTRACT §5 summaries', () => {
    for (const status of ['pending', 'succeeded', 'failed']) {
      assert.equal(interpret(build(status)).pulse?.summary, `[Heroku][Build] shop-api ${status}`);
    }
  });

  it('build pulses carry build id, commit (source_blob.version, else slug.commit), user email and times', () => {
    const pending = interpret(build('pending')).pulse;
    assert.deepEqual(pending?.data, {
      appName: 'shop-api',
      appId: APP.id,
      buildId: '9c0e8b0a-1b2c-4d3e-8f4a-5b6c7d8e9f00',
      status: 'pending',
      commit: SHA,
      userEmail: 'dev@example.com',
      releaseVersion: null,
      eventId: '4b1f0f8e-7f0a-4c53-9a5e-2f3b1d0c9e88',
    });
    assert.equal(pending?.startedAt.toISOString(), '2025-05-17T11:37:00.000Z');
    assert.equal(pending?.endedAt, null);
    const succeeded = interpret(build('succeeded', { source_blob: null })).pulse;
    assert.equal((succeeded?.data as { commit: string | null }).commit, SHA, 'falls back to slug.commit');
    assert.equal(succeeded?.endedAt?.toISOString(), '2025-05-17T11:37:50.000Z');
    assert.equal((succeeded?.data as { releaseVersion: number }).releaseVersion, 42);
  });

  it('only the final release event (update, succeeded, current) makes a pulse, with version, status, commit and app', () => {
    assert.equal(interpret(release('create', 'pending', false)).pulse, null);
    assert.equal(interpret(release('update', 'succeeded', false)).pulse, null, 'release phase');
    assert.equal(interpret(release('update', 'failed', false)).pulse, null);
    assert.equal(interpret(release('create', 'succeeded', true)).pulse, null);
    const final = interpret(release('update', 'succeeded', true)).pulse;
    assert.equal(final?.summary, '[Heroku][Release] Deploy 1a5f89db');
    assert.deepEqual(final?.labels, { app: 'shop-api', resource: 'release', status: 'succeeded', version: 'v42' });
    assert.equal((final?.data as { commit: string | null }).commit, SHA);
    assert.equal((final?.data as { version: number }).version, 42);
    assert.equal(final?.data.appName, 'shop-api');
    assert.equal(final?.commitLookup, null);
    assert.equal(final?.startedAt.toISOString(), '2025-05-17T11:37:52.000Z');
    assert.equal(final?.endedAt?.toISOString(), '2025-05-17T11:37:58.000Z');
  });

  it('a final release without slug.commit asks for a lookup (by slug id, or by release id when there is no slug)', () => {
    const noCommit = interpret(release('update', 'succeeded', true, { slug: { id: 'slug-1', commit: null } })).pulse;
    assert.equal((noCommit?.data as { commit: string | null }).commit, null);
    assert.deepEqual(noCommit?.commitLookup, { releaseId: 'rel-1', slugId: 'slug-1' });
    const noSlug = interpret(release('update', 'succeeded', true, { slug: null, description: 'Rollback to v41' })).pulse;
    assert.equal(noSlug?.summary, '[Heroku][Release] Rollback to v41');
    assert.deepEqual(noSlug?.commitLookup, { releaseId: 'rel-1', slugId: null });
  });

  it('business keys tell every release state apart and ignore the event id', () => {
    const keys = [release('create', 'pending', false), release('update', 'succeeded', false), release('update', 'succeeded', true)].map((b) => interpret(b).businessKey);
    assert.equal(new Set(keys).size, 3);
    const sameStateOtherEvent = { ...release('update', 'succeeded', true), id: 'another-event-id' };
    assert.equal(interpret(sameStateOtherEvent).businessKey, keys[2]);
    assert.equal(interpret(build('pending')).pulse?.dedupeKey, interpret(build('pending')).businessKey);
  });

  it('dyno events and unknown build states are recorded without a pulse', () => {
    const dyno = interpret(envelope('dyno', 'create', { id: 'dyno-1', app: APP, state: 'starting', type: 'run' }, '2025-05-17T11:37:58Z'));
    assert.deepEqual(dyno, { businessKey: null, pulse: null });
    const odd = interpret(build('expired'));
    assert.equal(odd.pulse, null);
    assert.equal(odd.businessKey, 'build:9c0e8b0a-1b2c-4d3e-8f4a-5b6c7d8e9f00:expired');
  });

  it('rejects bodies that are not Heroku envelopes, naming what is wrong', () => {
    const cases: [unknown, RegExp][] = [
      [{}, /id/],
      [null, /body/],
      [{ ...build('pending'), data: { id: 'b' } }, /data\.app/],
      [build('pending', { created_at: '17/05/2025' }), /data\.created_at/],
      [release('update', 'succeeded', 'yes' as unknown as boolean), /data\.current/],
      [{ ...build('pending'), webhook_metadata: undefined }, /webhook_metadata/],
    ];
    for (const [body, message] of cases) {
      assert.throws(() => parseHerokuEvent(body), (err: unknown) => err instanceof InvalidHerokuEventError && message.test(err.message));
    }
  });

  it('tolerates fields Heroku may add', () => {
    const body = release('update', 'succeeded', true, { artifacts: [{ type: 'slug', id: 'slug-1' }], something_new: { x: 1 } });
    assert.ok(interpret({ ...body, new_envelope_field: true }).pulse);
  });
});

describe('Heroku-Webhook-Hmac-SHA256 verification (pure)', () => {
  const sign = (secret: string, bytes: Buffer) => createHmac('sha256', secret).update(bytes).digest('base64');

  it('accepts the base64 HMAC of the exact bytes and nothing else', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.uint8Array({ minLength: 1, maxLength: 2048 }), fc.nat(), (secret, bytes, flip) => {
        const raw = Buffer.from(bytes);
        assert.equal(verifyHerokuSignature(secret, raw, sign(secret, raw)), true);
        const tampered = Buffer.from(raw);
        const i = flip % tampered.length;
        tampered[i] = (tampered[i] ?? 0) ^ 1;
        assert.equal(verifyHerokuSignature(secret, tampered, sign(secret, raw)), false);
        assert.equal(verifyHerokuSignature(`${secret}x`, raw, sign(secret, raw)), false);
      }),
    );
  });

  it('rejects a signature over re-serialised JSON, hex digests, prefixes and missing headers', () => {
    const raw = Buffer.from('{"id": "e1", "data": {"app": {"name": "shop-api"}}}');
    const secret = 's3cret';
    assert.equal(verifyHerokuSignature(secret, raw, sign(secret, raw)), true);
    assert.equal(verifyHerokuSignature(secret, raw, sign(secret, Buffer.from(JSON.stringify(JSON.parse(raw.toString()))))), false);
    assert.equal(verifyHerokuSignature(secret, raw, createHmac('sha256', secret).update(raw).digest('hex')), false);
    assert.equal(verifyHerokuSignature(secret, raw, `sha256=${sign(secret, raw)}`), false);
    assert.equal(verifyHerokuSignature(secret, raw, undefined), false);
    assert.equal(verifyHerokuSignature(secret, raw, ''), false);
  });
});
