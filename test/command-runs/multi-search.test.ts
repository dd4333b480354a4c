import assert from 'node:assert/strict';
import fc from 'fast-check';
import { describe, it } from 'mocha';
import { MultiByteSearch } from '../../src/redaction/multi-search';

/** Every (byte offset, pattern) the obvious way: one Buffer indexOf scan per pattern. */
function naive(patterns: string[], text: string): string[] {
  const bytes = Buffer.from(text);
  const found: string[] = [];
  for (const p of new Set(patterns)) for (let at = bytes.indexOf(p); at !== -1; at = bytes.indexOf(p, at + 1)) found.push(`${at}:${p}`);
  return found.sort();
}

function multi(patterns: string[], text: string): string[] {
  const found: string[] = [];
  new MultiByteSearch([...new Set(patterns)].map((p) => Buffer.from(p))).forEachMatch(Buffer.from(text), (start, p) => found.push(`${start}:${p.toString()}`));
  return found.sort();
}

describe('finding several secrets in output in one pass (the redactor\'s search)', () => {
  it('finds what one indexOf per pattern finds: overlapping, nested, repeated, at both ends (property)', () => {
    // A small alphabet makes overlaps and shared blocks common; multi-byte characters share bytes (EF, C5, C9, F0 9F).
    const char = fc.constantFrom('a', 'b', 'c', '\n', '\xEF', '\u0161', '\u0261', '😀');
    const word = (min: number) => fc.array(char, { minLength: min, maxLength: 9 }).map((cs) => cs.join(''));
    fc.assert(
      fc.property(fc.array(word(1), { minLength: 1, maxLength: 6 }), fc.array(fc.oneof(word(0), fc.constant('')), { maxLength: 30 }), (patterns, pieces) => {
        const text = pieces.map((piece, i) => piece + (patterns[i % patterns.length] ?? '')).join('');
        assert.deepEqual(multi(patterns, text), naive(patterns, text));
      }),
      { numRuns: 2000 },
    );
  });

  it('finds config-var-like values in log text, and nothing when there are none', () => {
    const secrets = ['s3cr3t-Pa55word', 'postgres://u:p@db/x', 'AKIA0123456789'];
    const text = `boot\nDATABASE_URL=${secrets[1]} key=${secrets[2]}${secrets[2]}\npassword: ${secrets[0]}`;
    assert.deepEqual(multi(secrets, text), naive(secrets, text));
    assert.equal(multi(secrets, text).length, 4);
    assert.deepEqual(multi(secrets, 'nothing to see here'), []);
    assert.deepEqual(multi([], text), []);
  });
});
