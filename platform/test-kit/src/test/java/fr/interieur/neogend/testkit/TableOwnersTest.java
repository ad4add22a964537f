package fr.interieur.neogend.testkit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The one-owner-per-table check passes a service whose writes are in one adapter, fails on planted ones. */
class TableOwnersTest {

    @TempDir
    Path main;

    private void write(String file, String source) throws IOException {
        Path p = main.resolve(file);
        Files.createDirectories(p.getParent());
        Files.writeString(p, source);
    }

    @Test
    void writesInOnePersistenceAdapterPassAndReadsOrCommentsElsewhereDoNotCount() throws IOException {
        write("shop/persistence/JdbcShelf.java", """
                class JdbcShelf {
                    void put() { jdbc.sql(\"\"\"
                        insert into shelf (item) values (?)
                        on conflict (item) do update set count = shelf.count + 1\"\"\"); }
                    void take() { jdbc.sql("update shelf set count = count - 1 where item = ?"); }
                }""");
        write("shop/persistence/JdbcReport.java", """
                class JdbcReport {
                    // we never insert into shelf here; "update the shelf" is prose
                    String q = "select * from shelf join sale using (item)";
                    void log() { jdbc.sql("insert into report (line) values (?)"); }
                }""");
        assertThat(TableOwners.writers(main))
                .containsOnlyKeys("shelf", "report")
                .containsEntry("shelf", Set.of("shop/persistence/JdbcShelf.java"));
        assertThatCode(() -> TableOwners.check(main)).doesNotThrowAnyException();
    }

    @Test
    void aTableWrittenByTwoFilesFails() throws IOException {
        write("shop/persistence/JdbcShelf.java", "class A { String q = \"insert into shelf values (1)\"; }");
        write("shop/persistence/JdbcOther.java", "class B { String q = \"DELETE FROM shelf where x = 1\"; }");
        assertThatThrownBy(() -> TableOwners.check(main))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("shelf is written by 2 files");
    }

    @Test
    void aWriteOutsideAPersistenceAdapterFails() throws IOException {
        write("shop/StockService.java", "class S { String q = \"update shelf set count = 0\"; }");
        assertThatThrownBy(() -> TableOwners.check(main))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("shelf is written outside a persistence adapter, by shop/StockService.java");
    }
}
