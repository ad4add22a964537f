package fr.interieur.neogend.gateway.web;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.webflux.autoconfigure.WebHttpHandlerBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The gateway's own request observations ({@link RequestObservations}) in place of Spring's: the
 * handler's observation registry is emptied and the whole handler wrapped instead. Switched off like
 * Spring's would be ({@code management.observations.enable.http.server.requests=false}, or {@code .all}).
 */
@Configuration(proxyBeanMethods = false)
public class RequestObservationsConfiguration {

    @Bean
    WebHttpHandlerBuilderCustomizer requestObservations(
            ObservationRegistry observations,
            ObjectProvider<MeterRegistry> meters,
            ObjectProvider<Tracer> tracer,
            ObjectProvider<Propagator> propagator) {
        MeterRegistry registry = meters.getIfAvailable();
        boolean observed = RequestObservations.observed("http.server.requests", observations, registry);
        return builder -> {
            builder.observationRegistry(ObservationRegistry.NOOP);
            if (observed) {
                builder.httpHandlerDecorator(
                        new RequestObservations(registry, tracer.getIfAvailable(), propagator.getIfAvailable()));
            }
        };
    }
}
