import { LogLevel, WebClient, type WebClientOptions } from '@slack/web-api';
import type { SlackSimulator } from './index';

/**
 * The real SDK pointed at the simulator (`token` null: no token at all), configured the way dynopulse is meant to use it
 * (slack-liquid.md A5: no SDK retries, rate limits rejected at once). Warnings are silenced
 * because several tests provoke them on purpose.
 */
export function sdkClient(sim: SlackSimulator, token: string | null = sim.botToken, options: WebClientOptions = {}): WebClient {
  return new WebClient(token ?? undefined, {
    slackApiUrl: sim.apiUrl,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    logLevel: LogLevel.ERROR,
    ...options,
  });
}

export interface RawReply {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The body parsed as JSON, when it is JSON. */
  readonly json?: Record<string, unknown>;
}

/** A hand-made HTTP request, for wire details the SDK never produces. */
export async function rawRequest(url: string, init: RequestInit = {}): Promise<RawReply> {
  const response = await fetch(url, init);
  const text = await response.text();
  let json: Record<string, unknown> | undefined;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

/** Form-encoded POST to a Web API method with a token (default: the bot's; `null`: none) in the Authorization header. */
export function postForm(sim: SlackSimulator, method: string, fields: Record<string, string>, token: string | null = sim.botToken): Promise<RawReply> {
  const headers: Record<string, string> = { 'Content-Type': 'application/x-www-form-urlencoded' };
  if (token !== null) headers.Authorization = `Bearer ${token}`;
  return rawRequest(`${sim.apiUrl}${method}`, { method: 'POST', headers, body: new URLSearchParams(fields).toString() });
}

/** Runs `action` and returns what it threw (failing the test if it did not throw). */
export async function rejectionOf(action: () => Promise<unknown>): Promise<unknown> {
  try {
    await action();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail, but it succeeded');
}
