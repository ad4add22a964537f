package fr.interieur.neogend.systemtests;

import fr.interieur.neogend.devstack.Stack;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * One stack for the system-test classes that need no stack of their own ({@code @ExtendWith(SharedStack.class)}):
 * started before the first of them, stopped when the test run ends (JUnit closes what its root store holds),
 * so the run pays one start instead of one per class. Its settings are the union of what those classes need:
 * no clock-skew allowance (an expired token is refused at once), no per-client rate limit and no limit on
 * failed authentications (the access matrix and the hostile sweep send thousands of calls, refused ones
 * included, as one client), traces exported every 200 ms to an in-process OTLP collector.
 *
 * <p>The classes sharing it run one after another, after the classes with a stack of their own (class order
 * by {@code @Order}: own stacks below 10, shared from 10, see {@code junit-platform.properties}), so two stacks
 * never run at once. Each creates its own data (identifiers of its own, views read through its own agreement,
 * model or users) and never asserts on fleet-wide figures another class's data would change; where the order
 * matters, the class says so. {@code docs/testing.md} lists who shares it.
 */
final class SharedStack implements BeforeAllCallback {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(SharedStack.class);

    /** The running stack, its run folder (logs) and the collector its traces go to. */
    record Running(Stack stack, Path runDir, OtlpCollector collector) implements AutoCloseable {
        @Override
        public void close() {
            try {
                stack.close();
            } finally {
                collector.close();
            }
        }
    }

    private static volatile Running running;

    @Override
    public void beforeAll(ExtensionContext context) {
        running = context.getRoot().getStore(NAMESPACE).computeIfAbsent(Running.class, k -> start(), Running.class);
    }

    /** The shared stack; only for a class extended with {@code SharedStack}. */
    static Running get() {
        Running r = running;
        if (r == null) {
            throw new IllegalStateException("no shared stack: the class needs @ExtendWith(SharedStack.class)");
        }
        return r;
    }

    private static Running start() {
        Path root = Path.of(System.getProperty("neogend.root", "../.."))
                .toAbsolutePath()
                .normalize();
        OtlpCollector collector;
        Path runDir;
        try {
            runDir = Files.createTempDirectory("neogend-shared");
            collector = new OtlpCollector();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        System.out.println("starting Keycloak, PostgreSQL, the five services, the supplier simulator and the "
                + "gateway, shared by the system tests that need no stack of their own…");
        try {
            Stack stack = Stack.start(new Stack.Options(
                    root,
                    runDir,
                    false,
                    Stack.SERVICES,
                    Stack.Ports.free(),
                    Stack.QUICK_START_JVM,
                    Map.of(
                            "NEOGEND_GATEWAY_CLOCK_SKEW",
                            "0s",
                            "NEOGEND_RATE_LIMIT_PER_SECOND",
                            "0",
                            "NEOGEND_AUTH_FAILURES_PER_SECOND",
                            "0",
                            "NEOGEND_OTLP_TRACES_ENABLED",
                            "true",
                            "NEOGEND_OTLP_TRACES_ENDPOINT",
                            collector.endpoint(),
                            "MANAGEMENT_OPENTELEMETRY_TRACING_EXPORT_SCHEDULE_DELAY",
                            "200ms")));
            return new Running(stack, runDir, collector);
        } catch (RuntimeException e) {
            collector.close();
            throw e;
        }
    }
}
