package fr.interieur.neogend.kit.error;

/**
 * Base of the errors a service's domain raises on purpose. Each subtype maps to one gRPC status
 * in {@code fr.interieur.neogend.kit.grpc.GrpcErrorMapper}; the message is safe to show to the
 * caller (it never carries secrets or internal details).
 */
public abstract class DomainException extends RuntimeException {

    protected DomainException(String message) {
        super(message);
    }
}
