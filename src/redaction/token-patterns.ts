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

/** The part of a bearer match that stays readable. */
export const BEARER_PREFIX = /^[Bb]earer[ \t]+/;

/**
 * Matches, at the very end of a text, anything that could still grow into a token once more
 * output arrives ("HRK", "xoxb-12", "Bearer ab"); a streaming redactor holds that much back.
 */
export const TOKEN_PREFIX_AT_END =
  /(?:H(?:R(?:K(?:U(?:-[A-Za-z0-9_-]{0,512})?)?)?)?|x(?:o(?:x(?:[abposr](?:-[A-Za-z0-9-]{0,512})?)?)?|a(?:p(?:p(?:-[A-Za-z0-9-]{0,512})?)?)?)?|[Bb](?:e(?:a(?:r(?:e(?:r(?:[ \t]{1,8}[A-Za-z0-9._~+/=-]{0,2048})?)?)?)?)?)?)$/;

/** The longest text TOKEN_PREFIX_AT_END can match. */
export const MAX_TOKEN_PREFIX_LENGTH = 6 + 8 + 2048;
