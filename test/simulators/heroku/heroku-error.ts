// Heroku's JSON error body: `{ id, message, url?, ... }` (heroku.md §1 "Error body").

/** An error answered as a Heroku error body; thrown by route handlers and the request pipeline. */
export class HerokuApiError extends Error {
  constructor(
    readonly status: number,
    readonly id: string,
    message: string,
    /** Extra body fields, e.g. `resource: 'app'` on not_found, `app: {name}` on two_factor. */
    readonly extra: Record<string, unknown> = {},
    /** Extra response headers, e.g. `RateLimit-Remaining: 0` on a 429. */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HerokuApiError';
  }

  body(): Record<string, unknown> {
    return { id: this.id, message: this.message, ...this.extra };
  }
}

export const MISSING_VERSION_MESSAGE =
  "Please specify a version along with Heroku's API MIME type. For example, Accept: application/vnd.heroku+json; version=3";

export function missingVersion(): HerokuApiError {
  return new HerokuApiError(400, 'missing_version', MISSING_VERSION_MESSAGE);
}

export function unauthorized(message = 'Invalid credentials provided.'): HerokuApiError {
  return new HerokuApiError(401, 'unauthorized', message);
}

export function badRequest(message: string): HerokuApiError {
  return new HerokuApiError(400, 'bad_request', message);
}

/** Schema violation of a request body: 422 `invalid_params` naming the field. */
export function invalidParams(message: string): HerokuApiError {
  return new HerokuApiError(422, 'invalid_params', message);
}

export function notFound(resource: string, message: string): HerokuApiError {
  return new HerokuApiError(404, 'not_found', message, { resource });
}

export function appNotFound(): HerokuApiError {
  return notFound('app', "Couldn't find that app.");
}

/**
 * An app that exists but belongs to someone else. Heroku answers 403 `forbidden` with
 * "You do not have access to the app <name>." (seen in kjohnston/pgbackups-archive#64,
 * mattpolito/paratrooper#71 and the CLI's "Error ID: forbidden" in IIC2143/Syllabus-2022-1#69).
 */
export function appForbidden(appName: string): HerokuApiError {
  return new HerokuApiError(403, 'forbidden', `You do not have access to the app ${appName}.`);
}

export function twoFactorRequired(appName: string): HerokuApiError {
  return new HerokuApiError(
    403,
    'two_factor',
    'A second authentication factor or pre-authorization is required for this request. Your account has either two-factor or a Heroku Security Key enabled.',
    { app: { name: appName } },
  );
}

export function insufficientScope(needed: string): HerokuApiError {
  return new HerokuApiError(403, 'forbidden', `This OAuth authorization's scope does not permit this request (needs ${needed}).`);
}

export const RATE_LIMIT_MESSAGE = 'Your account reached the API rate limit\nPlease wait a few minutes before making new requests';

export function rateLimited(): HerokuApiError {
  return new HerokuApiError(429, 'rate_limit', RATE_LIMIT_MESSAGE);
}

export function endpointNotFound(): HerokuApiError {
  return new HerokuApiError(
    404,
    'not_found',
    'The requested API endpoint was not found. Are you using the right HTTP verb (i.e. `GET` vs. `POST`), and did you specify your intended version with the `Accept` header?',
  );
}

/** Default body for an injected fault with this status (faults.ts). */
export function faultError(status: number): HerokuApiError {
  switch (status) {
    case 409:
      // heroku.md §6.1: the runtime answers 409 right after a release is created; the CLI retries.
      return new HerokuApiError(409, 'conflict', "release isn't found yet");
    case 429:
      return new HerokuApiError(429, 'rate_limit', RATE_LIMIT_MESSAGE, {}, { 'RateLimit-Remaining': '0' });
    case 503:
      return new HerokuApiError(503, 'service_unavailable', 'Service temporarily unavailable. Please try again later.');
    case 500:
      return new HerokuApiError(500, 'internal_server_error', 'Internal server error.');
    default:
      return new HerokuApiError(status, status >= 500 ? 'internal_server_error' : 'bad_request', `Simulated fault (HTTP ${status}).`);
  }
}
