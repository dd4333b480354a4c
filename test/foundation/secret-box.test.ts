import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'mocha';
import { SecretBox } from '../../src/crypto/secret-box';

describe('SecretBox (secrets at rest, AES-256-GCM)', () => {
  const box = new SecretBox(randomBytes(32));

  it('round-trips and never contains the clear text', () => {
    const sealed = box.seal('HRKU-super-secret-token', 'integration:1:access');
    assert.ok(!sealed.includes('HRKU'));
    assert.equal(box.open(sealed, 'integration:1:access'), 'HRKU-super-secret-token');
  });

  it('seals the same value differently each time (random IV)', () => {
    assert.notEqual(box.seal('x'), box.seal('x'));
  });

  it('refuses a value moved to another row (associated data mismatch) or tampered with', () => {
    const sealed = box.seal('secret', 'integration:1:access');
    assert.throws(() => box.open(sealed, 'integration:2:access'));
    const tampered = sealed.slice(0, -2) + (sealed.endsWith('A') ? 'BB' : 'AA');
    assert.throws(() => box.open(tampered, 'integration:1:access'));
  });

  it('opens values sealed with a previous key after rotation', () => {
    const oldKey = randomBytes(32);
    const sealed = new SecretBox(oldKey).seal('v');
    assert.equal(new SecretBox(randomBytes(32), [oldKey]).open(sealed), 'v');
    assert.throws(() => new SecretBox(randomBytes(32)).open(sealed), /unknown key/);
  });
});
