import { DefaultLogger, Runtime, type LogLevel, type LogMetadata } from '@temporalio/worker';
import type { Logger } from '../log';
import { freePort } from '../runtime/free-port';

let installed = false;
let metricsUrl: string | undefined;

/**
 * Installs the process-wide Temporal Runtime once, logging through pino. Shutdown signals are
 * ours to handle (main.ts drains the API and the worker, then closes connections), so the Runtime
 * installs none.
 */
export function installTemporalRuntime(logger: Logger): void {
  if (installed) return;
  install(logger, undefined);
}

/**
 * Like installTemporalRuntime, and the Runtime's own metrics (worker task slots, poll and
 * schedule-to-start latencies, activity and workflow execution latencies...) are exported by its
 * Prometheus exporter on a loopback port of its own, which our `/metrics` scrapes and merges
 * (src/metrics/exposition.ts). The port is picked free; another process may take it in between,
 * in which case Core refuses to start and we pick again.
 */
export async function installTemporalRuntimeWithMetrics(logger: Logger): Promise<void> {
  if (installed) return;
  for (let attempt = 1; ; attempt++) {
    const bindAddress = `127.0.0.1:${await freePort()}`;
    try {
      install(logger, bindAddress);
      metricsUrl = `http://${bindAddress}/metrics`;
      return;
    } catch (err) {
      if (attempt >= 5 || !/address already in use/i.test((err as Error).message)) throw err;
    }
  }
}

/** Where the Runtime's Prometheus exporter answers, when it was installed with metrics. */
export function temporalRuntimeMetricsUrl(): string | undefined {
  return metricsUrl;
}

function install(logger: Logger, prometheusBindAddress: string | undefined): void {
  const log = logger.child({ component: 'temporal' });
  const levels: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
    TRACE: 'trace',
    DEBUG: 'debug',
    INFO: 'info',
    WARN: 'warn',
    ERROR: 'error',
  };
  Runtime.install({
    shutdownSignals: [],
    logger: new DefaultLogger(sdkLevel(logger.level), ({ level, message, meta }) => log[levels[level]]((meta ?? {}) as LogMetadata, message)),
    ...(prometheusBindAddress ? { telemetryOptions: { metrics: { prometheus: { bindAddress: prometheusBindAddress, countersTotalSuffix: true, useSecondsForDurations: true, unitSuffix: true } } } } : {}),
  });
  installed = true;
}

/** The SDK's threshold for our LOG_LEVEL (at debug, it logs each activity's start and end). */
function sdkLevel(level: string): LogLevel {
  const map: Record<string, LogLevel> = { trace: 'TRACE', debug: 'DEBUG', info: 'INFO', warn: 'WARN' };
  return map[level] ?? 'ERROR';
}
