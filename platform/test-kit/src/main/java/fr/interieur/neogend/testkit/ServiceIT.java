package fr.interieur.neogend.testkit;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.ContextConfiguration;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * An integration test of one whole service: the real application on random ports (gRPC and HTTP),
 * its own fresh PostgreSQL database (see {@link PostgresTestDatabase}), tokens from
 * {@link TestTokens}. Inject the gRPC port with {@code @LocalGrpcServerPort}.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"spring.grpc.server.port=0", "logging.structured.format.console="})
@ContextConfiguration(initializers = PostgresTestDatabase.Initializer.class)
@Import(TestSecurityConfiguration.class)
public @interface ServiceIT {}
