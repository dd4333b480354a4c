import assert from 'node:assert/strict';
import fc from 'fast-check';
import { describe, it } from 'mocha';
import { REDACTED, Redactor, secretValuesOf } from '../../src/redaction/redactor';
import { mayContainToken, TOKEN_SOURCES } from '../../src/redaction/token-patterns';
import { LentBuffer } from '../support/lent-buffer';

const configVars = {
  DATABASE_URL: 'postgres://user:s3cr3t@db.internal:5432/app',
  API_KEY: 'abcdef123456',
  API_KEY_PREFIX: 'abcdef', // a value that is the beginning of another one
  PEM: '-----BEGIN KEY-----\nMIIBOgIBAAJ\n-----END KEY-----',
  PASSPHRASE: 'grüße-✓-секрет', // matched as its UTF-8 bytes
  SHORT: 'web', // under 6 characters: too common to hide
  EMPTY: null,
};

/**
 * `text` as output bytes cut at the given byte offsets (a cut may split a character), redacted as
 * a stream whose chunks are lent, as the Rendezvous reader lends them.
 */
function streamed(redactor: Redactor, text: string, cuts: number[]): string {
  const bytes = Buffer.from(text);
  const stream = redactor.stream();
  const lent = new LentBuffer();
  const out: Buffer[] = [];
  let at = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    out.push(lent.lend(bytes.subarray(at, Math.max(at, cut)), (chunk) => stream.push(chunk)));
    at = Math.max(at, cut);
  }
  out.push(lent.lend(bytes.subarray(at), (chunk) => stream.push(chunk)), stream.end());
  return Buffer.concat(out).toString();
}

describe('output redaction: config var values and obvious tokens', () => {
  const redactor = new Redactor(secretValuesOf(configVars));

  it('removes config var values of 6+ characters, longest first, and keeps short ones', () => {
    assert.deepEqual(secretValuesOf(configVars), [configVars.PEM, configVars.DATABASE_URL, configVars.PASSPHRASE, configVars.API_KEY, configVars.API_KEY_PREFIX]);
    assert.equal(redactor.redact(`url=${configVars.DATABASE_URL} key=${configVars.API_KEY} dyno=web`), `url=${REDACTED} key=${REDACTED} dyno=web`);
    assert.equal(redactor.redact(`pem:\n${configVars.PEM}\n`), `pem:\n${REDACTED}\n`);
    assert.equal(redactor.redact(`ключ «${configVars.PASSPHRASE}» ✓`), `ключ «${REDACTED}» ✓`);
  });

  it('removes Heroku and Slack tokens and bearer credentials whatever the app config', () => {
    const bare = new Redactor([]);
    assert.equal(bare.redact('HRKU-AAAAbbbbCCCC-1234 xoxb-1234-5678-abcdefgh xapp-1-A0-12345678'), `${REDACTED} ${REDACTED} ${REDACTED}`);
    assert.equal(bare.redact('Authorization: Bearer eyJhbGciOi.J9.abc'), `Authorization: Bearer ${REDACTED}`);
    assert.equal(bare.redact('a bear eats honey'), 'a bear eats honey');
  });

  it('redacts the same over any chunking as over the whole text, and never lets a secret through (property)', () => {
    const piece = fc.oneof(
      fc.constantFrom(configVars.DATABASE_URL, configVars.API_KEY, configVars.PEM, configVars.PASSPHRASE, 'HRKU-0123456789abcdef', 'Bearer tok_0123456789', 'web', '\n', 'abc', 'ü✓'),
      fc.string({ maxLength: 12 }),
      fc.string({ unit: 'grapheme', maxLength: 4 }),
    );
    fc.assert(
      // Pieces are separated as words are in real output (a token runs on through letters and digits).
      fc.property(fc.array(piece, { maxLength: 12 }), fc.constantFrom(' ', '\n', '"', ', '), fc.array(fc.nat({ max: 400 }), { maxLength: 10 }), (pieces, separator, cuts) => {
        const text = pieces.join(separator);
        const out = streamed(redactor, text, cuts);
        assert.equal(out, redactor.redact(text));
        for (const secret of [configVars.DATABASE_URL, configVars.API_KEY, configVars.PEM, configVars.PASSPHRASE, 'HRKU-0123456789abcdef', 'tok_0123456789']) {
          assert.ok(!out.includes(secret), `${secret} leaked in ${JSON.stringify(out)}`);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('skips the token regex only where no token can be: every token holds one of the literals searched for first (property)', () => {
    const anyToken = new RegExp(TOKEN_SOURCES.join('|'));
    const piece = fc.oneof(
      fc.constantFrom('HRKU-', 'HRK', 'xoxb-', 'xoxs-', 'xox', 'xapp-', 'Bearer ', 'bearer\t', 'BEARER ', 'Bear', '-', '.'),
      fc.string({ unit: fc.constantFrom(...'abpxoHRKUBer-_ 019'), maxLength: 16 }),
    );
    let tokensSeen = 0;
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 8 }), (pieces) => {
        const bytes = Buffer.from(pieces.join(''), 'latin1');
        if (!anyToken.test(bytes.toString('latin1'))) return;
        tokensSeen++;
        assert.ok(mayContainToken(bytes), `a token in ${JSON.stringify(pieces.join(''))} would be missed`);
      }),
      { numRuns: 2000 },
    );
    assert.ok(tokensSeen > 200, `the property saw only ${tokensSeen} texts with a token`);
  });

  it('holds back only what could still become a secret, so ordinary live output is not delayed', () => {
    const stream = redactor.stream();
    const push = (text: string) => stream.push(Buffer.from(text)).toString();
    assert.equal(push('progress 10%\n'), 'progress 10%\n');
    assert.equal(push('key=abcdef'), 'key='); // may still become API_KEY
    assert.equal(push('123456 done\n'), `${REDACTED} done\n`);
    assert.equal(push('ends with HRK'), 'ends with ');
    assert.equal(stream.end().toString(), 'HRK');
  });
});
