package fr.interieur.neogend.inventory.telemetryclient;

import fr.interieur.neogend.telemetry.v1.InventoryEvent;
import fr.interieur.neogend.telemetry.v1.RecordInventoryEventRequest;
import fr.interieur.neogend.telemetry.v1.RecordInventoryEventResponse;
import fr.interieur.neogend.telemetry.v1.TelemetryServiceGrpc;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in for telemetry's {@code RecordInventoryEvent}, served in-process (a real gRPC server and
 * channel, no network): idempotent by event id like the real one, it records the order in which each
 * event first arrived, every call (with the caller's authorization header), and answers what the test's
 * {@link Behaviour} says for each event — a refusal, a slow answer, an acknowledgement lost after the
 * event was recorded.
 */
final class TelemetryStandIn implements AutoCloseable {

    /** What the stand-in does with one event; {@code null} status: recorded and acknowledged. */
    interface Behaviour {
        Answer answer(InventoryEvent event);
    }

    /**
     * @param status      the refusal, or null to acknowledge
     * @param recordFirst record the event even though the answer is a refusal (a lost acknowledgement)
     * @param delayMillis wait this long before answering (beyond the relay's deadline: it gave up)
     */
    record Answer(Status status, boolean recordFirst, long delayMillis) {
        static final Answer OK = new Answer(null, false, 0);

        static Answer refuse(Status status) {
            return new Answer(status, false, 0);
        }
    }

    /** One call as the stand-in saw it. */
    record Call(String eventId, String imei, String kind, String authorization, String answer) {}

    private static final Context.Key<String> AUTHORIZATION = Context.key("authorization");

    private final Server server;
    private final ManagedChannel channel;
    private volatile Behaviour behaviour = e -> Answer.OK;
    /** Event ids in order of first arrival. */
    private final List<String> firstArrivals = new ArrayList<>();

    private final Map<String, AtomicInteger> recorded = new ConcurrentHashMap<>();
    private final List<Call> calls = new ArrayList<>();
    /** Event ids of the calls as they come in (before the stand-in answers). */
    private final List<String> incoming = new ArrayList<>();

    private volatile Runnable onRecord = () -> {};

    TelemetryStandIn() {
        String name = InProcessServerBuilder.generateName();
        ServerInterceptor readAuthorization = new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(
                    ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
                String auth = headers.get(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER));
                return Contexts.interceptCall(Context.current().withValue(AUTHORIZATION, auth), call, headers, next);
            }
        };
        try {
            server = InProcessServerBuilder.forName(name)
                    .addService(ServerInterceptors.intercept(new Receiver(), readAuthorization))
                    .build()
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        channel = InProcessChannelBuilder.forName(name).build();
    }

    ManagedChannel channel() {
        return channel;
    }

    void behave(Behaviour b) {
        behaviour = b;
    }

    /** Runs after each event is recorded for the first time (in the receiver's thread). */
    void onFirstRecord(Runnable r) {
        onRecord = r;
    }

    synchronized List<String> firstArrivals() {
        return List.copyOf(firstArrivals);
    }

    synchronized List<Call> calls() {
        return List.copyOf(calls);
    }

    int timesRecorded(String eventId) {
        AtomicInteger n = recorded.get(eventId);
        return n == null ? 0 : n.get();
    }

    /** Calls that came in for this event (answered or not yet). */
    synchronized long callsFor(String eventId) {
        return incoming.stream().filter(eventId::equals).count();
    }

    private final class Receiver extends TelemetryServiceGrpc.TelemetryServiceImplBase {
        @Override
        public void recordInventoryEvent(
                RecordInventoryEventRequest request, StreamObserver<RecordInventoryEventResponse> response) {
            InventoryEvent e = request.getEvent();
            synchronized (TelemetryStandIn.this) {
                incoming.add(e.getEventId());
            }
            Answer answer = behaviour.answer(e);
            synchronized (TelemetryStandIn.this) {
                calls.add(new Call(
                        e.getEventId(),
                        e.getImei(),
                        e.getKind().name(),
                        AUTHORIZATION.get(),
                        answer.status() == null
                                ? "OK"
                                : answer.status().getCode().name()));
            }
            if (answer.delayMillis() > 0) {
                try {
                    Thread.sleep(answer.delayMillis());
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                }
            }
            boolean first = false;
            if (answer.status() == null || answer.recordFirst()) {
                synchronized (TelemetryStandIn.this) {
                    if (recorded.computeIfAbsent(e.getEventId(), id -> new AtomicInteger())
                                    .incrementAndGet()
                            == 1) {
                        firstArrivals.add(e.getEventId());
                        first = true;
                    }
                }
            }
            if (first) {
                onRecord.run();
            }
            if (answer.status() != null) {
                response.onError(answer.status().asRuntimeException());
                return;
            }
            response.onNext(RecordInventoryEventResponse.newBuilder()
                    .setAlreadyRecorded(timesRecorded(e.getEventId()) > 1)
                    .build());
            response.onCompleted();
        }
    }

    @Override
    public void close() {
        channel.shutdownNow();
        server.shutdownNow();
    }
}
