import { charsetOf, mediaType } from './http-io';
import { parseMultipart } from './multipart';

/** Method arguments: strings from query/form/multipart bodies, any JSON value from JSON bodies. */
export type WebApiArgs = Record<string, unknown>;

export interface ParsedWebApiRequest {
  /** Query-string arguments overlaid with body arguments. */
  readonly args: WebApiArgs;
  /** A `token` sent as a form or multipart field (the documented alternative to the header). */
  readonly formToken?: string;
  /** Slack's request-format warnings, returned as `warning` / `response_metadata.warnings`. */
  readonly warnings: readonly string[];
}

export type WebApiRequestParse =
  | { ok: true; request: ParsedWebApiRequest }
  | { ok: false; error: string; warnings: readonly string[] };

// Charsets Slack accepts in a POST Content-Type (documented with `invalid_charset`).
const ACCEPTED_CHARSETS = new Set(['utf-8', 'utf8', 'iso-8859-1']);

/**
 * Turns a Web API request into arguments, the way Slack reads them:
 *
 * - Arguments may come as GET query parameters, a form-urlencoded POST body, or a mix of both
 *   (docs.slack.dev/apis/web-api, "Pass arguments as"). GET is accepted for every method, the
 *   upload ones included: api.slack.com/methods/files.getUploadURLExternal lists it as
 *   `GET https://slack.com/api/files.getUploadURLExternal`, though docs.slack.dev now shows POST.
 *   Multipart form bodies are read too (the documented valid POST types include
 *   `multipart/form-data`).
 * - JSON bodies are accepted for every method (slack-liquid.md A8.1; "Most write methods allow
 *   arguments with application/json"; a third party reports getUploadURLExternal rejecting JSON,
 *   A3, UNCONFIRMED, not modelled), but a JSON body cannot carry the token: "To make use of sending JSON on
 *   write operations, you must provide your token value using an Authorization HTTP header"
 *   (docs.slack.dev/changelog/2017-10-keeping-up-with-the-jsons). So a `token` inside JSON is
 *   ignored and such a call is `not_authed`.
 * - A token in the query string is not accepted from apps created after 2021-02-24
 *   (docs.slack.dev/changelog/2020-11-no-more-tokens-in-querystrings-for-newly-created-apps); the
 *   simulated bot is such an app, so a query `token` is ignored as well.
 * - Format errors are Slack's common errors: `missing_post_type`, `invalid_post_type`,
 *   `invalid_charset`, `invalid_form_data`, `invalid_json`, `json_not_object`. JSON without a
 *   charset gets the `missing_charset` warning, a form body with one `superfluous_charset`
 *   (Slack's "well-wishes and warnings"; python-slack-sdk#692).
 */
export async function parseWebApiRequest(
  httpMethod: string,
  query: URLSearchParams,
  contentType: string | undefined,
  body: Buffer,
): Promise<WebApiRequestParse> {
  const args: WebApiArgs = Object.fromEntries(query.entries());
  const warnings: string[] = [];
  if (httpMethod !== 'POST' || body.length === 0) return { ok: true, request: { args, warnings } };

  const type = mediaType(contentType);
  const charset = charsetOf(contentType);
  if (!type) return { ok: false, error: 'missing_post_type', warnings };
  if (charset !== undefined && !ACCEPTED_CHARSETS.has(charset)) return { ok: false, error: 'invalid_charset', warnings };

  switch (type) {
    case 'application/x-www-form-urlencoded': {
      if (charset !== undefined) warnings.push('superfluous_charset');
      const form = new URLSearchParams(body.toString('utf8'));
      const formToken = form.get('token') ?? undefined;
      return { ok: true, request: { args: { ...args, ...Object.fromEntries(form.entries()) }, formToken, warnings } };
    }
    case 'multipart/form-data': {
      const multipart = await parseMultipart(contentType ?? '', body);
      if (!multipart) return { ok: false, error: 'invalid_form_data', warnings };
      const formToken = multipart.fields.get('token');
      return { ok: true, request: { args: { ...args, ...Object.fromEntries(multipart.fields) }, formToken, warnings } };
    }
    case 'application/json': {
      if (charset === undefined) warnings.push('missing_charset');
      let parsed: unknown;
      try {
        parsed = JSON.parse(body.toString('utf8'));
      } catch {
        return { ok: false, error: 'invalid_json', warnings };
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        return { ok: false, error: 'json_not_object', warnings };
      }
      return { ok: true, request: { args: { ...args, ...(parsed as WebApiArgs) }, warnings } };
    }
    case 'text/plain':
      // Listed among the valid POST types in Slack's `invalid_post_type` description; what Slack
      // reads from such a body is UNCONFIRMED, so only the query arguments count.
      return { ok: true, request: { args, warnings } };
    default:
      return { ok: false, error: 'invalid_post_type', warnings };
  }
}
