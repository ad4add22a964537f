package fr.interieur.neogend.gateway;

import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.otel.bridge.OtelCurrentTraceContext;
import io.micrometer.tracing.otel.bridge.OtelPropagator;
import io.micrometer.tracing.otel.bridge.OtelTracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.samplers.Sampler;

import java.util.List;

/**
 * A real OpenTelemetry tracer behind Micrometer Tracing, as the gateway runs it, that keeps the spans it
 * ends (those sampled) in a list instead of exporting them.
 */
public record TestTracing(Tracer tracer, OtelPropagator propagator) {

    public static TestTracing of(Sampler sampler, List<SpanData> ended) {
        SpanProcessor collect = new SpanProcessor() {
            @Override
            public void onStart(Context parentContext, ReadWriteSpan span) {}

            @Override
            public boolean isStartRequired() {
                return false;
            }

            @Override
            public void onEnd(ReadableSpan span) {
                ended.add(span.toSpanData());
            }

            @Override
            public boolean isEndRequired() {
                return true;
            }

            @Override
            public CompletableResultCode shutdown() {
                return CompletableResultCode.ofSuccess();
            }
        };
        var otel = SdkTracerProvider.builder()
                .setSampler(sampler)
                .addSpanProcessor(collect)
                .build()
                .get("test");
        return new TestTracing(
                new OtelTracer(otel, new OtelCurrentTraceContext(), event -> {}),
                new OtelPropagator(ContextPropagators.create(W3CTraceContextPropagator.getInstance()), otel));
    }
}
