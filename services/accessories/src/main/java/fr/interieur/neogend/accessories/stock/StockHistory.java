package fr.interieur.neogend.accessories.stock;

import fr.interieur.neogend.kit.error.InvalidArgumentException;
import fr.interieur.neogend.kit.error.PreconditionFailedException;
import fr.interieur.neogend.kit.error.Validation;
import fr.interieur.neogend.kit.paging.Page;
import fr.interieur.neogend.kit.paging.PageRequest;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Isolation;
import org.springframework.transaction.annotation.Transactional;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * What the stock went through (DOMAIN rule 15, issue 17): every movement recorded, listed page by
 * page or exported as CSV with the same filters and the same values, and the stock alerts open or
 * cleared. Pages follow the movement's id (the order recorded): a page starts after the last id of the
 * previous one, so rows recorded while paging come after it and none is lost or shown twice.
 */
@Service
public class StockHistory {

    /** Days of the date filters are days in Paris. */
    static final ZoneId PARIS = ZoneId.of("Europe/Paris");
    /** The most rows one CSV export holds; beyond, narrower filters are asked for. */
    static final int MAX_EXPORT_ROWS = 100_000;

    private final StockRepository stock;

    public StockHistory(StockRepository stock) {
        this.stock = stock;
    }

    /** A movement as recorded. */
    public record Movement(
            long id,
            MovementKind kind,
            String itemCode,
            String depotCode,
            Optional<String> toDepotCode,
            long quantity,
            Optional<String> reference,
            Optional<String> repairId,
            String actor,
            Instant at) {}

    /** The filters of the list and the export, all optional. */
    public record Filter(
            Optional<String> depot,
            Optional<String> item,
            Optional<String> repairId,
            Optional<String> actor,
            Optional<LocalDate> fromDate,
            Optional<LocalDate> toDate) {

        String rendering() {
            return fr.interieur.neogend.kit.paging.PageRequest.filters(
                    depot.orElse(""),
                    item.orElse(""),
                    repairId.orElse(""),
                    actor.orElse(""),
                    fromDate.map(LocalDate::toString).orElse(""),
                    toDate.map(LocalDate::toString).orElse(""));
        }
    }

    /** Which alerts to list. */
    public enum AlertState {
        OPEN,
        CLEARED,
        ANY
    }

    /** A page of movements, in the order recorded. */
    @Transactional(readOnly = true)
    public Page<Movement> movements(Filter filter, int pageSize, String pageToken) {
        Range range = range(filter);
        String rendering = filter.rendering();
        PageRequest page = PageRequest.of(pageSize, pageToken, rendering);
        long after = page.afterKey().map(StockHistory::key).orElse(0L);
        List<Movement> rows = select(filter, range, after, page.fetchSize());
        return page.toPage(rows, m -> Long.toString(m.id()), rendering);
    }

    /**
     * Every movement the filters select, as CSV, from one snapshot (so the file is the list the same
     * filters give, page after page, at that moment).
     */
    @Transactional(readOnly = true, isolation = Isolation.REPEATABLE_READ)
    public String csv(Filter filter) {
        Range range = range(filter);
        StringBuilder out = new StringBuilder(
                "id,record_time,kind,item_code,depot_code,to_depot_code,quantity,repair_id,actor,reference\r\n");
        long after = 0;
        int total = 0;
        while (true) {
            List<Movement> rows = select(filter, range, after, 5_000);
            if (rows.isEmpty()) {
                return out.toString();
            }
            total += rows.size();
            if (total > MAX_EXPORT_ROWS) {
                throw new PreconditionFailedException("more than " + MAX_EXPORT_ROWS
                        + " movements match; narrow the filters (a depot, an item, fewer days)");
            }
            rows.forEach(csvLine(out));
            after = rows.get(rows.size() - 1).id();
        }
    }

    private static Consumer<Movement> csvLine(StringBuilder out) {
        return m -> out.append(m.id())
                .append(',')
                .append(m.at())
                .append(',')
                .append(m.kind())
                .append(',')
                .append(m.itemCode())
                .append(',')
                .append(m.depotCode())
                .append(',')
                .append(m.toDepotCode().orElse(""))
                .append(',')
                .append(m.quantity())
                .append(',')
                .append(m.repairId().orElse(""))
                .append(',')
                .append(quote(m.actor()))
                .append(',')
                .append(m.reference().map(StockHistory::quote).orElse(""))
                .append("\r\n");
    }

    /** Text quoted for CSV, never read as a formula by a spreadsheet. */
    static String quote(String text) {
        String safe = text.startsWith("=") || text.startsWith("+") || text.startsWith("-") || text.startsWith("@")
                ? "'" + text
                : text;
        return "\"" + safe.replace("\"", "\"\"") + "\"";
    }

    private List<Movement> select(Filter f, Range range, long after, int limit) {
        return stock.movements(
                f.depot(),
                f.item(),
                f.repairId(),
                f.actor(),
                Optional.ofNullable(range.from()),
                Optional.ofNullable(range.until()),
                after,
                limit);
    }

    /** The instants of the day filters: from the first day's start, until the day after the last. */
    private record Range(Instant from, Instant until) {}

    private static Range range(Filter f) {
        Validation v = new Validation();
        LocalDate from = day(f.fromDate(), "from_date", v);
        LocalDate to = day(f.toDate(), "to_date", v);
        v.throwIfInvalid();
        if (from != null && to != null && to.isBefore(from)) {
            throw InvalidArgumentException.of("to_date", "must not be before from_date (" + from + ")");
        }
        return new Range(
                from == null ? null : from.atStartOfDay(PARIS).toInstant(),
                to == null ? null : to.plusDays(1).atStartOfDay(PARIS).toInstant());
    }

    private static LocalDate day(Optional<LocalDate> day, String field, Validation v) {
        day.ifPresent(d -> v.check(d.getYear() >= 2000 && d.getYear() <= 2100, field, "must be a day of 2000 to 2100"));
        return day.orElse(null);
    }

    private static long key(String token) {
        try {
            return Long.parseLong(token);
        } catch (NumberFormatException e) {
            throw InvalidArgumentException.of("page_token", "is not a token this service issued");
        }
    }

    /** A page of alerts of a state, oldest first. */
    @Transactional(readOnly = true)
    public Page<StockService.Alert> alerts(Optional<String> depot, AlertState state, int pageSize, String pageToken) {
        String rendering = PageRequest.filters(depot.orElse(""), state);
        PageRequest page = PageRequest.of(pageSize, pageToken, rendering);
        long after = page.afterKey().map(StockHistory::key).orElse(0L);
        List<StockService.Alert> rows = stock.alerts(depot, state, after, page.fetchSize());
        return page.toPage(rows, a -> Long.toString(a.id()), rendering);
    }
}
