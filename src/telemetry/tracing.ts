import { context, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { detectResourcesSync, envDetectorSync, Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { OpenTelemetryPlugin, OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import type { ClientInterceptors } from '@temporalio/client';
import { ScrubbingSpanExporter } from './scrubbing-exporter';

/**
 * OpenTelemetry traces, on when the standard variables ask for an OTLP endpoint
 * (OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT), off otherwise: no provider,
 * no interceptors, no middleware, and the spans our code opens are the API's no-op spans.
 * The exporter, the sampler (OTEL_TRACES_SAMPLER), the batch delays (OTEL_BSP_*) and the
 * resource (OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES) read the same variables as every
 * OpenTelemetry SDK. Tracing is process-wide by OpenTelemetry's design, hence the module state.
 */
interface Tracing {
  provider: NodeTracerProvider;
  resource: Resource;
  spanProcessor: SpanProcessor;
}

let active: Tracing | undefined;

export function tracingRequested(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim());
}

/** Starts tracing if requested; once per process. Returns whether it is on. */
export function startTracing(env: NodeJS.ProcessEnv = process.env): boolean {
  if (active) return true;
  if (!tracingRequested(env)) return false;
  const resource = new Resource({ 'service.name': 'dynopulse' }).merge(detectResourcesSync({ detectors: [envDetectorSync] }));
  const spanProcessor = new BatchSpanProcessor(new ScrubbingSpanExporter(new OTLPTraceExporter()));
  const provider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor] });
  provider.register();
  active = { provider, resource, spanProcessor };
  return true;
}

export function tracingEnabled(): boolean {
  return active !== undefined;
}

/** Sends what is buffered and stops; the last step of shutdown. */
export async function stopTracing(): Promise<void> {
  const tracing = active;
  active = undefined;
  if (!tracing) return;
  await tracing.provider.shutdown();
  trace.disable();
  context.disable();
}

/** The Temporal client's interceptors: the workflow start joins the caller's trace. */
export function tracingClientInterceptors(): ClientInterceptors | undefined {
  return active ? { workflow: [new OpenTelemetryWorkflowClientInterceptor()] } : undefined;
}

/** The worker's plugins: workflow, activity and outbound interceptors, and the sink that exports workflow spans. */
export function tracingWorkerPlugins(): OpenTelemetryPlugin[] {
  return active ? [new OpenTelemetryPlugin({ resource: active.resource, spanProcessor: active.spanProcessor })] : [];
}

export const tracer = () => trace.getTracer('dynopulse');
