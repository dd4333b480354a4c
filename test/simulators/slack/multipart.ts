/** One part of a `multipart/form-data` body that carried a file. */
export interface MultipartFile {
  readonly field: string;
  readonly filename: string;
  readonly bytes: Buffer;
}

export interface MultipartBody {
  readonly fields: ReadonlyMap<string, string>;
  readonly files: readonly MultipartFile[];
}

/**
 * Parses a `multipart/form-data` body with the WHATWG `FormData` parser built into Node's fetch
 * (the same code path `@slack/web-api` 8 uses to build the body, slack-liquid.md A1/A2).
 * Returns `undefined` when the body is not valid multipart for the given `Content-Type`.
 */
export async function parseMultipart(contentType: string, body: Buffer): Promise<MultipartBody | undefined> {
  let form: FormData;
  try {
    form = await new Response(body, { headers: { 'content-type': contentType } }).formData();
  } catch {
    return undefined;
  }
  const fields = new Map<string, string>();
  const files: MultipartFile[] = [];
  for (const [field, value] of form.entries()) {
    if (typeof value === 'string') fields.set(field, value);
    else files.push({ field, filename: value.name, bytes: Buffer.from(await value.arrayBuffer()) });
  }
  return { fields, files };
}
