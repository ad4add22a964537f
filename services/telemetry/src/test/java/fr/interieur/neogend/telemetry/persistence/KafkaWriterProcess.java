package fr.interieur.neogend.telemetry.persistence;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import fr.interieur.neogend.telemetry.ingestion.ReadingStore;
import fr.interieur.neogend.telemetry.kafkaclient.KafkaIngestSettings;
import fr.interieur.neogend.telemetry.kafkaclient.KafkaReadingWriters;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * A second telemetry writer process for the tests (ADR 0025): the real {@link KafkaReadingWriters} on the
 * real {@link JdbcReadingStore}, joined to the group of the test's writers, on the same database. It prints
 * {@code RANGE <partition> <from> <to>} for each write that went through and {@code WROTE <partition> <next
 * offset>} each time it has written a partition further, then runs until killed.
 *
 * <p>Arguments: bootstrap servers, topic, group, JDBC URL, user, password, then client properties
 * {@code key=value}.
 */
public final class KafkaWriterProcess {

    private KafkaWriterProcess() {}

    public static void main(String[] args) throws Exception {
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
                .setLevel(ch.qos.logback.classic.Level.WARN);
        Map<String, String> properties = new HashMap<>();
        for (int i = 6; i < args.length; i++) {
            String[] kv = args[i].split("=", 2);
            properties.put(kv[0], kv[1]);
        }
        HikariConfig pool = new HikariConfig();
        pool.setJdbcUrl(args[3]);
        pool.setUsername(args[4]);
        pool.setPassword(args[5]);
        pool.setMaximumPoolSize(3);
        HikariDataSource dataSource = new HikariDataSource(pool);
        JdbcClient jdbc = JdbcClient.create(dataSource);
        JdbcReadingStore jdbcStore = new JdbcReadingStore(
                jdbc,
                new JdbcTemplate(dataSource),
                new JdbcCommandRepository(jdbc),
                new DataSourceTransactionManager(dataSource),
                "binary");
        // each write that went through, said before anything else happens (the test chains them with its own)
        ReadingStore store = (ReadingStore) java.lang.reflect.Proxy.newProxyInstance(
                ReadingStore.class.getClassLoader(), new Class<?>[] {ReadingStore.class}, (proxy, m, a) -> {
                    Object answer;
                    try {
                        answer = m.invoke(jdbcStore, a);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                    if (m.getName().equals("storeLogged") && Boolean.TRUE.equals(answer)) {
                        synchronized (System.out) {
                            System.out.println("RANGE " + a[1] + " " + a[2] + " " + a[3]);
                            System.out.flush();
                        }
                    }
                    return answer;
                });
        KafkaIngestSettings settings = new KafkaIngestSettings(
                args[0], args[1], 3, (short) 3, 2, 1, args[2], Duration.ofSeconds(20), properties);
        KafkaReadingWriters writers = new KafkaReadingWriters(settings, store, new SimpleMeterRegistry());
        writers.start();
        System.out.println("STARTED");
        System.out.flush();
        Map<Integer, Long> printed = new HashMap<>();
        while (true) {
            for (var e : writers.writtenTo().entrySet()) {
                if (!e.getValue().equals(printed.get(e.getKey()))) {
                    printed.put(e.getKey(), e.getValue());
                    System.out.println("WROTE " + e.getKey() + " " + e.getValue());
                    System.out.flush();
                }
            }
            Thread.sleep(50);
        }
    }
}
