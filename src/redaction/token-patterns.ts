// "Obvious tokens" removed from command output whatever the app's config (Heroku OAuth tokens,
// Slack tokens, bearer credentials). Lengths are bounded so a streaming redactor knows how much
// it may have to hold back.

/** Regex sources of whole tokens. A bearer match keeps its `Bearer ` prefix (see {@link BEARER_PREFIX}). */
export const TOKEN_SOURCES = [
  'HRKU-[A-Za-z0-9_-]{8,512}',
  'xox[abposr]-[A-Za-z0-9-]{8,512}',
  'xapp-[A-Za-z0-9-]{8,512}',
  '[Bb]earer[ \\t]{1,8}[A-Za-z0-9._~+/=-]{8,2048}',
];

/**
 * Every token holds one of these (the fixed start of each source above): output without any of
 * them, nearly all output, needs no regex and is never turned into a string. Keep in step with
 * TOKEN_SOURCES (the redaction tests check every source against it).
 */
const TOKEN_LITERALS = ['HRKU-', 'xox', 'xapp-', 'Bearer', 'bearer'].map((literal) => Buffer.from(literal, 'latin1'));

/** False if no token can occur in `bytes` (a few native searches, much cheaper than the regex). */
export function mayContainToken(bytes: Buffer): boolean {
  return TOKEN_LITERALS.some((literal) => bytes.includes(literal));
}

/** The part of a bearer match that stays readable. */
export const BEARER_PREFIX = /^[Bb]earer[ \t]+/;

/**
 * Matches, at the very end of a text, anything that could still grow into a token once more
 * output arrives ("HRK", "xoxb-12", "Bearer ab"); a streaming redactor holds that much back.
 */
const TOKEN_PREFIX_AT_END =
  /(?:H(?:R(?:K(?:U(?:-[A-Za-z0-9_-]{0,512})?)?)?)?|x(?:o(?:x(?:[abposr](?:-[A-Za-z0-9-]{0,512})?)?)?|a(?:p(?:p(?:-[A-Za-z0-9-]{0,512})?)?)?)?|[Bb](?:e(?:a(?:r(?:e(?:r(?:[ \t]{1,8}[A-Za-z0-9._~+/=-]{0,2048})?)?)?)?)?)?)$/;

/** The longest text TOKEN_PREFIX_AT_END can match. */
const MAX_TOKEN_PREFIX_LENGTH = 6 + 8 + 2048;
/** The longest part of a token prefix not made of token characters: "Bearer" and 8 blanks. */
const MAX_TOKEN_LEAD_LENGTH = 6 + 8;

/** Whether a character code belongs to a token body (the union of the classes above; "HRKU-", "xoxb-" too). */
function isTokenCharacter(c: number | undefined): boolean {
  if (c === undefined) return false;
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2e || c === 0x5f || c === 0x7e || c === 0x2b || c === 0x2f || c === 0x3d;
}

/**
 * Length of the end of `bytes` that could still grow into a token (0 if none). The regex only
 * looks at the run of token characters the output ends with and the lead before it: run from
 * every position of a 2 KB tail it was a tenth of the redactor's time.
 */
export function tokenPrefixLengthAtEnd(bytes: Buffer): number {
  let run = 0;
  while (run < bytes.length && run < MAX_TOKEN_PREFIX_LENGTH && isTokenCharacter(bytes[bytes.length - 1 - run])) run++;
  const window = Math.min(bytes.length, run + MAX_TOKEN_LEAD_LENGTH, MAX_TOKEN_PREFIX_LENGTH);
  if (window === 0) return 0;
  return TOKEN_PREFIX_AT_END.exec(bytes.toString('latin1', bytes.length - window))?.[0].length ?? 0;
}
