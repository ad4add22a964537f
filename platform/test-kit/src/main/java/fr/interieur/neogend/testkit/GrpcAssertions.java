package fr.interieur.neogend.testkit;

import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;

import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/** Assertions every service's gRPC tests share. */
public final class GrpcAssertions {

    private GrpcAssertions() {}

    /** The status a call fails with; an AssertionError if it succeeds. */
    public static StatusRuntimeException failure(Runnable call) {
        try {
            call.run();
        } catch (StatusRuntimeException e) {
            return e;
        }
        throw new AssertionError("the call succeeded");
    }

    /** The call fails with this status, its description containing {@code messagePart} (unless empty). */
    public static void assertStatus(Runnable call, Status.Code code, String messagePart) {
        StatusRuntimeException e = failure(call);
        assertThat(e.getStatus().getCode()).as(e.getStatus().toString()).isEqualTo(code);
        if (!messagePart.isEmpty()) {
            assertThat(e.getStatus().getDescription()).contains(messagePart);
        }
    }

    /** The call fails with {@code code}. */
    public static void assertCode(Status.Code code, Runnable call) {
        assertThat(failure(call).getStatus().getCode()).isEqualTo(code);
    }

    /**
     * A staff-readable call is refused without a token, with an expired or foreign token, and to a
     * supplier.
     *
     * @param callAs the call made with the given token (null: no token)
     */
    public static void assertRefusesStrangers(Function<String, Runnable> callAs) {
        assertCode(Status.Code.UNAUTHENTICATED, callAs.apply(null));
        assertCode(Status.Code.UNAUTHENTICATED, callAs.apply(TestTokens.expired()));
        assertCode(Status.Code.UNAUTHENTICATED, callAs.apply(TestTokens.foreignSigned()));
        assertCode(Status.Code.PERMISSION_DENIED, callAs.apply(TestTokens.supplier("SUP-DEMO")));
    }

    /** The standard health service answers SERVING without a token (probes have none). */
    public static void assertHealthServing(Channel channel) {
        assertThat(HealthGrpc.newBlockingStub(channel)
                        .check(HealthCheckRequest.getDefaultInstance())
                        .getStatus())
                .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
    }
}
