// Request-body checks in the spirit of the Platform API's JSON schema: a missing required field,
// a wrong type or a bad enum value answers 422 `invalid_params` with a message naming the field.
import { invalidParams } from './heroku-error';

export type JsonObject = Record<string, unknown>;

/** Reads body fields with schema checks; every failure names the field. */
export class BodyReader {
  constructor(private readonly body: JsonObject) {}

  has(field: string): boolean {
    return this.body[field] !== undefined;
  }

  requiredString(field: string): string {
    const value = this.body[field];
    if (value === undefined || value === null) throw invalidParams(`Invalid params: ${field} is required.`);
    if (typeof value !== 'string') throw invalidParams(`Invalid params: ${field} must be a string.`);
    return value;
  }

  optionalString(field: string): string | undefined {
    const value = this.body[field];
    if (value === undefined) return undefined;
    if (typeof value !== 'string') throw invalidParams(`Invalid params: ${field} must be a string.`);
    return value;
  }

  /** `string | null` fields such as a webhook's `secret` and `authorization` (heroku.md §3). */
  optionalNullableString(field: string): string | null | undefined {
    const value = this.body[field];
    if (value === undefined || value === null) return value;
    if (typeof value !== 'string') throw invalidParams(`Invalid params: ${field} must be a string or null.`);
    return value;
  }

  optionalBoolean(field: string): boolean | undefined {
    const value = this.body[field];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'boolean') throw invalidParams(`Invalid params: ${field} must be a boolean.`);
    return value;
  }

  optionalInteger(field: string, min: number, max: number): number | undefined {
    const value = this.body[field];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value)) throw invalidParams(`Invalid params: ${field} must be an integer.`);
    if (value < min || value > max) throw invalidParams(`Invalid params: ${field} must be between ${min} and ${max}.`);
    return value;
  }

  enumValue<T extends string>(field: string, allowed: readonly T[], required: true): T;
  enumValue<T extends string>(field: string, allowed: readonly T[], required: false): T | undefined;
  enumValue<T extends string>(field: string, allowed: readonly T[], required: boolean): T | undefined {
    const value = required ? this.requiredString(field) : this.optionalString(field);
    if (value === undefined) return undefined;
    if (!(allowed as readonly string[]).includes(value)) {
      throw invalidParams(`Invalid params: ${field} must be one of ${allowed.join(', ')}.`);
    }
    return value as T;
  }

  /** A non-empty array whose every element is one of `allowed`. */
  enumArray<T extends string>(field: string, allowed: readonly T[], required: boolean): T[] | undefined {
    const value = this.body[field];
    if (value === undefined || value === null) {
      if (required) throw invalidParams(`Invalid params: ${field} is required.`);
      return undefined;
    }
    if (!Array.isArray(value)) throw invalidParams(`Invalid params: ${field} must be an array.`);
    if (value.length === 0) throw invalidParams(`Invalid params: ${field} must not be empty.`);
    for (const element of value) {
      if (typeof element !== 'string' || !(allowed as readonly string[]).includes(element)) {
        throw invalidParams(`Invalid params: ${field} contains ${JSON.stringify(element)}, expected one of ${allowed.join(', ')}.`);
      }
    }
    return [...new Set(value as T[])];
  }

  /** An http(s) URL. */
  url(field: string, required: boolean): string | undefined {
    const value = required ? this.requiredString(field) : this.optionalString(field);
    if (value === undefined) return undefined;
    let parsed: URL;
    try {
      parsed = new URL(value);
    } catch {
      throw invalidParams(`Invalid params: ${field} must be a valid URL.`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw invalidParams(`Invalid params: ${field} must be an http or https URL.`);
    }
    return value;
  }

  /** An object of string values whose keys match `keyPattern` (dyno `env`, heroku.md §6.1). */
  optionalStringMap(field: string, keyPattern: RegExp): Record<string, string> | undefined {
    const value = this.body[field];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'object' || Array.isArray(value)) throw invalidParams(`Invalid params: ${field} must be an object.`);
    const out: Record<string, string> = {};
    for (const [key, v] of Object.entries(value as JsonObject)) {
      if (!keyPattern.test(key)) throw invalidParams(`Invalid params: ${field} key ${JSON.stringify(key)} must match ${keyPattern.source}.`);
      if (typeof v !== 'string') throw invalidParams(`Invalid params: ${field}.${key} must be a string.`);
      out[key] = v;
    }
    return out;
  }
}
