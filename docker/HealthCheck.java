import java.net.HttpURLConnection;
import java.net.URI;

/**
 * The image's HEALTHCHECK, for container engines that run one (Docker, Compose). The runtime image
 * has no shell and no curl, so the JVM that is already there asks the app's liveness group:
 * GET http://127.0.0.1:$NEOGEND_HTTP_PORT/actuator/health/liveness, healthy on 200, otherwise exit 1.
 * Every service's HTTP port serves its actuator health; the gateway's is its API port.
 * Kubernetes ignores HEALTHCHECK: the chart's probes do this job there.
 */
public final class HealthCheck {

    public static void main(String[] args) {
        String port = System.getenv().getOrDefault("NEOGEND_HTTP_PORT", "8080");
        try {
            HttpURLConnection connection = (HttpURLConnection) URI
                    .create("http://127.0.0.1:" + port + "/actuator/health/liveness").toURL().openConnection();
            connection.setConnectTimeout(2000);
            connection.setReadTimeout(3000);
            int status = connection.getResponseCode();
            connection.disconnect();
            if (status != 200) {
                System.err.println("liveness answered " + status);
                System.exit(1);
            }
        } catch (Exception e) {
            System.err.println("liveness unreachable: " + e);
            System.exit(1);
        }
    }

    private HealthCheck() {
    }
}
