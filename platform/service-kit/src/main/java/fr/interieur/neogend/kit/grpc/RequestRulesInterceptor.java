package fr.interieur.neogend.kit.grpc;

import com.google.protobuf.Message;
import fr.interieur.neogend.contract.RequestRules;
import fr.interieur.neogend.kit.error.InvalidArgumentException;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.StatusException;

/**
 * Checks every request message against the rules its proto declares ({@link RequestRules}: string
 * lengths and characters, decimal and date shapes, integer ranges, list sizes, finite numbers, known
 * enum values) before any service code sees it, so a direct gRPC caller meets the limits the gateway
 * applies to REST. A request that breaks them is closed with INVALID_ARGUMENT naming each bad field;
 * the service is never called. For streams, each message is checked.
 */
public class RequestRulesInterceptor implements ServerInterceptor {

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        ServerCall.Listener<Q> delegate = next.startCall(call, headers);
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(delegate) {
            private boolean refused;

            @Override
            public void onMessage(Q message) {
                if (refused) {
                    return;
                }
                if (message instanceof Message m) {
                    RequestRules.Report report = RequestRules.report(m);
                    if (report.total() > 0) {
                        refused = true;
                        StatusException refusal = GrpcErrorMapper.toStatusException(new InvalidArgumentException(
                                report.violations().stream()
                                        .map(v -> new InvalidArgumentException.Violation(v.field(), v.description()))
                                        .toList(),
                                report.total()));
                        call.close(
                                refusal.getStatus(),
                                refusal.getTrailers() == null ? new Metadata() : refusal.getTrailers());
                        return;
                    }
                }
                super.onMessage(message);
            }

            @Override
            public void onHalfClose() {
                if (!refused) {
                    super.onHalfClose();
                }
            }

            @Override
            public void onReady() {
                if (!refused) {
                    super.onReady();
                }
            }
        };
    }
}
