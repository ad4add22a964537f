package fr.interieur.neogend.kit.audit;

import com.google.api.AnnotationsProto;
import com.google.api.HttpRule;
import com.google.protobuf.Descriptors;
import com.google.protobuf.Message;
import com.google.protobuf.TextFormat;
import fr.interieur.neogend.common.v1.AccessRule;
import fr.interieur.neogend.kit.grpc.AccessRules;
import fr.interieur.neogend.kit.grpc.CallerContext;
import fr.interieur.neogend.kit.grpc.CorrelationIdInterceptor;
import fr.interieur.neogend.kit.grpc.GrpcErrorMapper;
import fr.interieur.neogend.kit.security.Caller;
import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.protobuf.ProtoMethodDescriptorSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;

import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Records every write call in the service's append-only {@code audit_event} table: who (the caller's
 * username and roles), when, which RPC with its request, and how it ended (its status, refusals
 * included). A write is an RPC whose REST mapping is not a GET, or an internal RPC that is neither a
 * check nor a stream; device uploads are not audited (a reading carries its device and time). Runs
 * after the auth interceptor, so the caller is known; the row is written once the call is closed, on
 * its own connection, and a failure to write it is logged, never turned into a failed call.
 */
public class AuditInterceptor implements ServerInterceptor {

    private static final Logger log = LoggerFactory.getLogger(AuditInterceptor.class);
    private static final int MAX_REQUEST = 4000;

    private final JdbcClient jdbc;
    private final Map<String, Boolean> audited = new ConcurrentHashMap<>();

    public AuditInterceptor(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        MethodDescriptor<Q, R> method = call.getMethodDescriptor();
        if (!audited.computeIfAbsent(method.getFullMethodName(), n -> isWrite(method))) {
            return next.startCall(call, headers);
        }
        Caller caller = CallerContext.find().orElse(null);
        String correlation = headers.get(CorrelationIdInterceptor.HEADER);
        StringBuilder request = new StringBuilder();
        java.util.concurrent.atomic.AtomicBoolean recorded = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.function.Consumer<Status> once = status -> {
            if (recorded.compareAndSet(false, true)) {
                record(caller, method.getFullMethodName(), status, request.toString(), correlation);
            }
        };
        ServerCall<Q, R> recording = new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
            @Override
            public void close(Status status, Metadata trailers) {
                once.accept(status);
                super.close(status, trailers);
            }
        };
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(
                next.startCall(recording, headers)) {
            @Override
            public void onMessage(Q message) {
                if (request.isEmpty() && message instanceof Message m) {
                    String text = TextFormat.printer().emittingSingleLine(true).printToString(m);
                    request.append(text.length() > MAX_REQUEST ? text.substring(0, MAX_REQUEST) + "…" : text);
                }
                try {
                    super.onMessage(message);
                } catch (RuntimeException e) {
                    once.accept(GrpcErrorMapper.toStatusException(e).getStatus());
                    throw e;
                }
            }

            @Override
            public void onHalfClose() {
                try {
                    super.onHalfClose();
                } catch (RuntimeException e) { // closed by the exception handler outside this interceptor
                    once.accept(GrpcErrorMapper.toStatusException(e).getStatus());
                    throw e;
                }
            }

            @Override
            public void onCancel() {
                once.accept(Status.CANCELLED);
                super.onCancel();
            }
        };
    }

    private void record(Caller caller, String method, Status status, String request, String correlation) {
        try {
            jdbc.sql("""
                            insert into audit_event (actor, roles, method, status, request, correlation_id)
                            values (?, ?, ?, ?, ?, ?)""")
                    .params(
                            caller == null ? "(unauthenticated)" : caller.username(),
                            caller == null ? "" : String.join(",", new TreeSet<>(caller.roles())),
                            method,
                            status.getCode().name(),
                            request,
                            correlation)
                    .update();
        } catch (RuntimeException e) {
            log.error(
                    "audit event of {} by {} ({}) not recorded: {}",
                    method,
                    caller == null ? "?" : caller.username(),
                    status.getCode(),
                    e.toString());
        }
    }

    /** Whether an RPC changes something (see the class comment). */
    static boolean isWrite(MethodDescriptor<?, ?> method) {
        if (!(method.getSchemaDescriptor() instanceof ProtoMethodDescriptorSupplier supplier)) {
            return true; // unknown shape: audit rather than miss a write
        }
        Descriptors.MethodDescriptor m = supplier.getMethodDescriptor();
        Optional<AccessRule> rule = AccessRules.ruleOf(m);
        if (rule.isPresent() && rule.get().getRolesList().equals(java.util.List.of("device"))) {
            return false;
        }
        if (m.getOptions().hasExtension(AnnotationsProto.http)) {
            HttpRule http = m.getOptions().getExtension(AnnotationsProto.http);
            return http.getPatternCase() != HttpRule.PatternCase.GET;
        }
        return !m.isServerStreaming() && !m.isClientStreaming() && !m.getName().startsWith("Check");
    }
}
