import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import { parseHerokuEvent } from '../../src/pulses/heroku-event';
import { configChangeOf } from '../../src/pulses/kinds/config-change';
import type { PriorState } from '../../src/pulses/kinds/prior-state';
import { interpretEvent } from '../../src/pulses/pulse-from-event';

// Payload shapes (data) from the Platform API reference / Dev Center "Webhook Events" examples as
// kept in ZULIP's fixtures: formation_update.json (type, quantity, size; previous_data
// {"quantity": 1}), addon_update.json (addon_service{id,name}, plan{id,name}, state,
// config_vars: names), app_update.json (the app itself: id, name, maintenance, no `app` field);
// release descriptions from heroku.md §5.2.
const APP = { id: '0d7e1a5c-7a3f-4b8e-9a43-5b8b1c3e2f10', name: 'shop-api' };
const ACTOR = { id: '5b0f3c1e-0f9a-4b3c-8d7e-2a1b3c4d5e6f', email: 'dev@example.com' };
const received = new Date('2025-05-17T12:00:00Z');
const NONE: PriorState = { data: null, monitoredName: null };

function envelope(resource: string, action: string, data: Record<string, unknown>, previous: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'e-1',
    action,
    actor: ACTOR,
    resource,
    data,
    previous_data: previous,
    created_at: '2025-05-17T11:37:58Z',
    webhook_metadata: { attempt: { id: 'a' }, delivery: { id: 'd' }, event: { id: 'e-1', include: `api:${resource}` }, webhook: { id: 'w' } },
  };
}
const interpret = (body: Record<string, unknown>, prior: PriorState = NONE) => interpretEvent(parseHerokuEvent(body), received, prior);

const formation = (quantity: number, size = 'Standard-1X') => ({
  id: 'f-1', app: APP, type: 'web', command: 'npm start', quantity, size, created_at: '2025-05-17T11:00:00Z', updated_at: '2025-05-17T11:37:58Z',
});
const addon = (plan: string, state = 'provisioned') => ({
  id: 'ad-1', name: 'postgresql-cubic-12345', app: APP, actions: [], config_vars: ['DATABASE_URL'],
  addon_service: { id: 's-1', name: 'heroku-postgresql' }, plan: { id: `p-${plan}`, name: `heroku-postgresql:${plan}` },
  provider_id: 'resource1', state, web_url: null, created_at: '2025-05-17T11:00:00Z', updated_at: '2025-05-17T11:37:58Z',
});
const app = (name: string, maintenance: boolean) => ({ id: APP.id, name, maintenance, updated_at: '2025-05-17T11:37:58Z', web_url: `https://${name}.herokuapp.com/` });
const release = (description: string) => envelope('release', 'update', {
  id: 'rel-7', app: APP, slug: null, user: ACTOR, status: 'succeeded', current: true, version: 7, description,
  created_at: '2025-05-17T11:37:50Z', updated_at: '2025-05-17T11:37:58Z',
});

describe('Kinds of change from Heroku events (pure)', () => {
  it('config-var releases become config pulses naming the variables, never anything else of the description', () => {
    const set = interpret(release('Set FOO, BAR config vars')).pulse;
    assert.equal(set?.kind, 'config');
    assert.equal(set?.summary, '[Heroku][Config] shop-api: set FOO, BAR');
    assert.deepEqual((set?.data as { variables: string[] }).variables, ['FOO', 'BAR']);
    assert.equal(set?.dedupeKey, 'release:rel-7:deployed', 'still the one pulse of that release');
    assert.equal(set?.commitLookup, null, 'no commit to look up for a config change');
    assert.ok(!JSON.stringify(set).includes('config vars'), 'the description is not copied');
    assert.equal(interpret(release('Remove FOO config vars')).pulse?.summary, '[Heroku][Config] shop-api: remove FOO');
    assert.equal(interpret(release('Attach DATABASE (@ref:postgresql-cubic-12345)')).pulse?.summary, '[Heroku][Config] shop-api: attach DATABASE (postgresql-cubic-12345)');
    assert.equal(interpret(release('Detach DATABASE (@ref:postgresql-cubic-12345)')).pulse?.summary, '[Heroku][Config] shop-api: detach DATABASE (postgresql-cubic-12345)');
    assert.equal(interpret(release('Update REDIS by heroku-redis')).pulse?.summary, '[Heroku][Config] shop-api: update REDIS by heroku-redis');
    // Not the pattern (a value-looking tail): a config pulse that names nothing.
    const odd = interpret(release('Set FOO=hunter2 config vars')).pulse;
    assert.equal(odd?.summary, '[Heroku][Config] shop-api: config vars changed');
    assert.ok(!JSON.stringify(odd).includes('hunter2'));
    assert.equal(interpret(release('Deploy 1a5f89db')).pulse?.kind, 'release');
    assert.equal(interpret(release('Rollback to v6')).pulse?.kind, 'release');
    assert.equal(configChangeOf(null), null);
  });

  it('formation updates become scaling pulses: quantity and size before → after, from previous_data or the stored state', () => {
    const fromPrevious = interpret(envelope('formation', 'update', formation(3), { quantity: 1 })).pulse;
    assert.equal(fromPrevious?.kind, 'scaling');
    assert.equal(fromPrevious?.summary, '[Heroku][Scaling] shop-api web 1 → 3 (Standard-1X)');
    const fromStored = interpret(envelope('formation', 'update', formation(2, 'Performance-M')), { data: formation(2), monitoredName: null }).pulse;
    assert.equal(fromStored?.summary, '[Heroku][Scaling] shop-api web 2 (Standard-1X → Performance-M)');
    assert.deepEqual(
      (({ quantityBefore, quantity, sizeBefore, size }) => ({ quantityBefore, quantity, sizeBefore, size }))(fromStored?.data as never),
      { quantityBefore: 2, quantity: 2, sizeBefore: 'Standard-1X', size: 'Performance-M' },
    );
    assert.equal(interpret(envelope('formation', 'update', formation(3))).pulse?.summary, '[Heroku][Scaling] shop-api web ? → 3 (Standard-1X)');
    assert.equal(interpret(envelope('formation', 'update', formation(3)), { data: formation(3), monitoredName: null }).pulse, null, 'nothing scaled');
    assert.equal(interpret(envelope('formation', 'destroy', formation(2)), { data: formation(2), monitoredName: null }).pulse?.summary, '[Heroku][Scaling] shop-api web 2 → 0 (Standard-1X)');
  });

  it('add-ons: created, plan changed (only when the plan before is known and differs), destroyed', () => {
    assert.equal(interpret(envelope('addon', 'create', addon('essential-0', 'provisioning'))).pulse?.summary, '[Heroku][Add-on] shop-api heroku-postgresql:essential-0 created');
    const upgraded = interpret(envelope('addon', 'update', addon('standard-0')), { data: addon('essential-0'), monitoredName: null }).pulse;
    assert.equal(upgraded?.kind, 'addon');
    assert.equal(upgraded?.summary, '[Heroku][Add-on] shop-api heroku-postgresql:essential-0 → heroku-postgresql:standard-0');
    assert.equal(interpret(envelope('addon', 'update', addon('essential-0')), { data: addon('essential-0', 'provisioning'), monitoredName: null }).pulse, null, 'a state change is no plan change');
    assert.equal(interpret(envelope('addon', 'update', addon('essential-0'))).pulse, null, 'no plan known before: a baseline');
    assert.equal(interpret(envelope('addon', 'destroy', addon('standard-0', 'deprovisioned'))).pulse?.summary, '[Heroku][Add-on] shop-api heroku-postgresql:standard-0 destroyed');
    assert.ok(!JSON.stringify(upgraded).includes('DATABASE_URL'), 'config_vars are not copied');
  });

  it('app updates: maintenance on/off and renames (a rename also asks the integration to follow it)', () => {
    const on = interpret(envelope('app', 'update', app('shop-api', true)), { data: app('shop-api', false), monitoredName: 'shop-api' });
    assert.equal(on.pulse?.summary, '[Heroku][Maintenance] shop-api on');
    assert.equal(on.rename, null);
    assert.equal(interpret(envelope('app', 'update', app('shop-api', false)), { data: app('shop-api', true), monitoredName: 'shop-api' }).pulse?.summary, '[Heroku][Maintenance] shop-api off');
    assert.equal(interpret(envelope('app', 'update', app('shop-api', false))).pulse, null, 'off with nothing known before: a baseline');
    assert.equal(interpret(envelope('app', 'update', app('shop-api', false)), { data: app('shop-api', false), monitoredName: 'shop-api' }).pulse, null);
    const renamed = interpret(envelope('app', 'update', app('shop-api-v2', false)), { data: null, monitoredName: 'shop-api' });
    assert.equal(renamed.pulse?.kind, 'rename');
    assert.equal(renamed.pulse?.summary, '[Heroku][Rename] shop-api → shop-api-v2');
    assert.deepEqual(renamed.rename, { appId: APP.id, from: 'shop-api', to: 'shop-api-v2' });
    assert.equal(renamed.pulse?.labels['app'], 'shop-api-v2');
    assert.deepEqual(interpret(envelope('app', 'update', app('shop-api-v2', false), { name: 'shop-api' })).rename, { appId: APP.id, from: 'shop-api', to: 'shop-api-v2' });
  });

  it('app events are the app itself (no data.app); a missing name or maintenance flag is refused', () => {
    assert.throws(() => parseHerokuEvent(envelope('app', 'update', { id: APP.id, maintenance: false })), /data\.name/);
    assert.throws(() => parseHerokuEvent(envelope('app', 'update', { id: APP.id, name: 'shop-api' })), /data\.maintenance/);
    assert.throws(() => parseHerokuEvent(envelope('formation', 'update', { ...formation(1), quantity: -1 })), /data\.quantity/);
    assert.throws(() => parseHerokuEvent(envelope('addon', 'update', { ...addon('x'), plan: {} })), /data\.plan\.name/);
  });
});
