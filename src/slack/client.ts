import { LogLevel, WebClient, type Logger as SlackLogger, type WebAPICallResult } from '@slack/web-api';
import { withClientSpan } from '../telemetry/client-span';
import type { Config } from '../config';
import type { Logger } from '../log';

/**
 * A Web API client for posting command output. Temporal owns retries: the SDK makes one attempt
 * (`retries: 0`) and reports a 429 at once with its Retry-After (`rejectRateLimitedCalls`) instead
 * of pausing every call of the client (slack-liquid.md A5). Undefined when no bot token is set.
 */
export function createSlackClient(config: Config['slack'], logger: Logger): WebClient | undefined {
  if (!config.botToken) return undefined;
  return new TracedWebClient(config.botToken, {
    slackApiUrl: config.apiUrl,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: 60_000,
    logger: slackLogger(logger.child({ component: 'slack' })),
    logLevel: LogLevel.WARN,
  });
}

/** The SDK's logger interface over pino (it would print to the console otherwise). */
function slackLogger(log: Logger): SlackLogger {
  let level = LogLevel.WARN;
  const text = (parts: unknown[]) => parts.map((p) => (typeof p === 'string' ? p : JSON.stringify(p))).join(' ');
  return {
    debug: (...m: unknown[]) => log.debug(text(m)),
    info: (...m: unknown[]) => log.info(text(m)),
    warn: (...m: unknown[]) => log.warn(text(m)),
    error: (...m: unknown[]) => log.error(text(m)),
    setLevel: (l: LogLevel) => void (level = l),
    getLevel: () => level,
    setName: () => undefined,
  };
}

/** Every Web API method goes through apiCall: one client span per call, named by the method. */
class TracedWebClient extends WebClient {
  override apiCall(method: string, options?: Record<string, unknown>): Promise<WebAPICallResult> {
    return withClientSpan(`Slack ${method}`, { 'rpc.system': 'slack', 'rpc.method': method }, () => super.apiCall(method, options));
  }
}
