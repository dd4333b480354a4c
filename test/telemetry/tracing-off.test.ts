import assert from 'node:assert/strict';
import { trace } from '@opentelemetry/api';
import { describe, it } from 'mocha';
import { startTracing, tracingClientInterceptors, tracingEnabled, tracingRequested, tracingWorkerPlugins } from '../../src/telemetry/tracing';

describe('tracing is off unless an OTLP endpoint is set', () => {
  it('reads the standard variables only', () => {
    assert.equal(tracingRequested({}), false);
    assert.equal(tracingRequested({ OTEL_SERVICE_NAME: 'x', OTEL_TRACES_SAMPLER: 'always_on' }), false);
    assert.equal(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }), true);
    assert.equal(tracingRequested({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' }), true);
    assert.equal(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: '  ' }), false);
  });

  it('off: no provider, no client interceptors, no worker plugins; our spans are no-ops', () => {
    assert.equal(startTracing({}), false);
    assert.equal(tracingEnabled(), false);
    assert.equal(tracingClientInterceptors(), undefined);
    assert.deepEqual(tracingWorkerPlugins(), []);
    const span = trace.getTracer('dynopulse').startSpan('x');
    assert.equal(span.isRecording(), false);
    span.end();
  });
});
