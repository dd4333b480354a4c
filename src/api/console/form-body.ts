import getRawBody from 'raw-body';
import type { ApiContext } from '../context';
import { HttpError } from '../http-error';

/** Console forms are a couple of short fields; anything bigger is not one of ours. */
const FORM_LIMIT_BYTES = 16 * 1024;

/** The fields of an `application/x-www-form-urlencoded` POST (the console's sign-in and sign-out forms). */
export async function readForm(ctx: ApiContext): Promise<URLSearchParams> {
  if (!ctx.is('application/x-www-form-urlencoded')) {
    throw new HttpError(415, 'unsupported_media_type', 'This form expects application/x-www-form-urlencoded');
  }
  const raw = await getRawBody(ctx.req, { limit: FORM_LIMIT_BYTES, length: ctx.get('content-length') || undefined, encoding: 'utf8' });
  return new URLSearchParams(raw);
}
