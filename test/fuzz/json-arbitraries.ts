import fc from 'fast-check';

/**
 * Values chosen to break parsers, validators and storage: control characters, NUL, lone
 * surrogates, astral characters, shell and SQL metacharacters, very long strings.
 */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    'a\u0000b',
    '\ud800',
    '\udfff lone',
    '💥🚀',
    'e\u0301',
    '\u202eevil',
    "'; drop table pulses; --",
    '$(touch /tmp/pwned)',
    '`id`',
    '"quoted"',
    '\\',
    '\r\n',
    '{{ incident.id }}',
    'a'.repeat(5000),
  ),
);

/** Numbers JSON can carry, and some it can only write as text (see rawNumberText). */
export const oddNumber: fc.Arbitrary<number> = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(0, -0, 1e308, -1e308, 5e-324, Number.MAX_SAFE_INTEGER + 2, 2 ** 63, -(2 ** 31) - 1, 2 ** 31),
);

/** Number literals outside what a double holds exactly: valid JSON, but JSON.parse rounds them (or makes them Infinity). */
export const rawNumberText: fc.Arbitrary<string> = fc.constantFrom('1e400', '-1e400', '123456789012345678901234567890', '0.1e-400', '1E+2', '-0.0', '1' + '0'.repeat(400));

/** JSON text of arrays or objects nested `depth` deep. */
export function nestedJsonText(depth: number, kind: 'array' | 'object'): string {
  return kind === 'array' ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}null${'}'.repeat(depth)}`;
}

/** A value for a field: any JSON, or one of the hostile leaves above. */
export const oddJsonValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: hostileString },
  { weight: 2, arbitrary: oddNumber },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, [], {}) },
);
