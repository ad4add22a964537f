package fr.interieur.neogend.bench;

import fr.interieur.neogend.devstack.DemoData;
import org.postgresql.PGConnection;

import java.io.IOException;
import java.io.StringReader;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Loads a fleet at the agreement's maximum straight into the inventory database with COPY: a unit
 * tree of both branches (~3,000 units), 140,000 devices in their packs across every state, and
 * 500,000 history rows. Deterministic (fixed seed), so runs compare.
 */
final class FleetLoader {

    static final int DEVICES = 140_000;
    static final int HISTORY = 500_000;
    static final int FIRST = 100_000; // DemoData.imei numbers of the fleet: 100,000..239,999
    /** The agreement every loaded pack is leased under (the demo one, {@code DemoData.AGREEMENT_ID}). */
    static final String AGREEMENT = "AC-2026-NEOGEND";

    static final String[] MODELS = {"Rugged X5", "Rugged X7", "Field Tab 10", "Field Tab 12"};
    static final String[] ROMS = {
        "neogend/aosp14/2026.06",
        "neogend/aosp14/2026.08",
        "neogend/aosp14/2026.09",
        "neogend/aosp14/2026.10",
        "neogend/aosp14/2026.11",
        "neogend/aosp15/2026.11"
    };

    /** Units that hold devices: brigades and commissariats, plus the demo units (for unit.manager). */
    final List<String> holders = new ArrayList<>();

    final List<String> regions = new ArrayList<>();
    final List<String> groupements = new ArrayList<>();

    void load(String jdbcUrl, String user) throws SQLException, IOException {
        try (Connection c = DriverManager.getConnection(jdbcUrl, user, "")) {
            CopyTarget copy = new CopyTarget(c.unwrap(PGConnection.class));
            long t0 = System.nanoTime();
            copy.rows("unit (code, name, level, parent_code, path, created_at, updated_at, created_by)", units());
            Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
            Random random = new Random(42);
            StringBuilder devices = new StringBuilder(DEVICES * 160);
            StringBuilder packs = new StringBuilder(DEVICES * 140);
            StringBuilder periods = new StringBuilder(DEVICES * 80);
            for (int i = 0; i < DEVICES; i++) {
                int n = FIRST + i;
                String imei = DemoData.imei(n);
                int model = random.nextInt(MODELS.length);
                boolean tablet = model >= 2;
                String packType = !tablet
                        ? "SMARTPHONE_INDIVIDUAL"
                        : random.nextInt(3) == 0 ? "TABLET_COLLECTIVE" : "TABLET_INDIVIDUAL";
                int dice = random.nextInt(1000);
                String state = dice < 800
                        ? "ASSIGNED"
                        : dice < 900
                                ? "IN_STOCK"
                                : dice < 930
                                        ? "IN_REPAIR"
                                        : dice < 940
                                                ? "LOST"
                                                : dice < 945 ? "STOLEN" : dice < 975 ? "PENDING_RETURN" : "RETURNED";
                String unit = holders.get(random.nextInt(holders.size()));
                LocalDate received = LocalDate.of(2025, 1, 1).plusDays(random.nextInt(600));
                Instant updated = now.minusSeconds(random.nextInt(86_400 * 300));
                String police = state.equals("LOST") || state.equals("STOLEN") ? "PV-" + n : "\\N";
                devices.append(imei)
                        .append('\t')
                        .append("SN-")
                        .append(n)
                        .append('\t')
                        .append(MODELS[model])
                        .append('\t')
                        .append(tablet ? "TABLET" : "PHONE")
                        .append('\t')
                        .append(state)
                        .append('\t')
                        .append(packType)
                        .append('\t')
                        .append(unit)
                        .append('\t')
                        .append(ROMS[random.nextInt(ROMS.length)])
                        .append('\t')
                        .append(received)
                        .append('\t')
                        .append(police)
                        .append('\t')
                        .append(now.minus(300, ChronoUnit.DAYS))
                        .append('\t')
                        .append(updated)
                        .append('\t')
                        .append(3)
                        .append("\tfleet-loader\tfleet-loader\n");
                boolean held = state.equals("ASSIGNED") || state.equals("IN_REPAIR");
                String agent = held && !packType.equals("TABLET_COLLECTIVE") ? "AG-" + n : "\\N";
                String end = state.equals("RETURNED") ? received.plusDays(400).toString() : "\\N";
                String packId = String.format("PK-%08d", n);
                packs.append(packId)
                        .append('\t')
                        .append(packType)
                        .append('\t')
                        .append(imei)
                        .append('\t')
                        .append(unit)
                        .append('\t')
                        .append(agent)
                        .append('\t')
                        .append(held ? 't' : 'f')
                        .append('\t')
                        .append(received)
                        .append('\t')
                        .append(end)
                        .append('\t')
                        .append(now)
                        .append('\t')
                        .append(now)
                        .append("\t2\t")
                        .append(AGREEMENT)
                        .append('\n');
                periods.append(packId)
                        .append('\t')
                        .append(AGREEMENT)
                        .append('\t')
                        .append(received)
                        .append("\t\\N\t")
                        .append(now)
                        .append("\tfleet-loader\n");
            }
            copy.rows(
                    "device (imei, serial_number, model, kind, state, pack_type, unit_code, rom_build, received_on, "
                            + "police_report_reference, created_at, updated_at, version, created_by, updated_by)",
                    devices);
            copy.rows(
                    "pack (id, type, device_imei, unit_code, holder_agent_id, held, lease_start, lease_end, "
                            + "created_at, updated_at, version, agreement_id)",
                    packs);
            copy.rows(
                    "pack_agreement (pack_id, agreement_id, valid_from, valid_until, recorded_at, recorded_by)",
                    periods);
            StringBuilder history = new StringBuilder(HISTORY * 170);
            String[] actions = {"ASSIGN", "SEND_TO_REPAIR", "RETURN_FROM_REPAIR", "UNASSIGN"};
            for (int h = 0; h < HISTORY; h++) {
                int n = FIRST + random.nextInt(DEVICES);
                String action = h < DEVICES ? "REGISTER" : actions[random.nextInt(actions.length)];
                history.append("DEVICE\t")
                        .append(DemoData.imei(n))
                        .append('\t')
                        .append(DemoData.imei(n))
                        .append('\t')
                        .append(action)
                        .append("\tfleet.manager\t")
                        .append(now.minusSeconds(random.nextInt(86_400 * 300)))
                        .append("\t{\"state\": \"IN_STOCK\"}\t{\"state\": \"ASSIGNED\", \"version\": ")
                        .append(h % 7)
                        .append("}\n");
            }
            copy.rows("history (subject_type, subject_id, device_imei, action, actor, at, before, after)", history);
            try (Statement s = c.createStatement()) {
                // vacuumed as well as analysed, as a fleet in service is: otherwise autovacuum works through
                // the 640,000 new rows on the machine's two cores while the first searches are measured, and
                // index-only scans find no page marked all-visible yet
                c.setAutoCommit(true);
                s.execute("vacuum (analyze)");
            }
            System.out.printf(
                    "  loaded %,d units, %,d devices and packs, %,d history rows in %.1f s%n",
                    copy.counts.getFirst(), DEVICES, HISTORY, (System.nanoTime() - t0) / 1e9);
        }
    }

    /** GN → 13 regions → 8 groupements → 4 compagnies → 6 brigades; PN → 100 directions → 4 commissariats. */
    private CharSequence units() {
        StringBuilder u = new StringBuilder();
        String t = Instant.now().toString();
        for (int r = 1; r <= 13; r++) {
            String region = String.format("GN-R%02d", r);
            regions.add(region);
            row(u, region, "REGION", "GN", "/GN/" + region + "/", t);
            for (int g = 1; g <= 8; g++) {
                String grp = region + "-GGD" + g;
                groupements.add(grp);
                String gPath = "/GN/" + region + "/" + grp + "/";
                row(u, grp, "GROUPEMENT", region, gPath, t);
                for (int c = 1; c <= 4; c++) {
                    String cie = grp + "-CIE" + c;
                    row(u, cie, "COMPAGNIE", grp, gPath + cie + "/", t);
                    for (int b = 1; b <= 6; b++) {
                        String bri = cie + "-BR" + b;
                        row(u, bri, "BRIGADE", cie, gPath + cie + "/" + bri + "/", t);
                        holders.add(bri);
                    }
                }
            }
        }
        for (int d = 1; d <= 100; d++) {
            String dir = String.format("PN-DDSP%03d", d);
            row(u, dir, "DIRECTION", "PN", "/PN/" + dir + "/", t);
            for (int c = 1; c <= 4; c++) {
                String csp = dir + "-CSP" + c;
                row(u, csp, "COMMISSARIAT", dir, "/PN/" + dir + "/" + csp + "/", t);
                holders.add(csp);
            }
        }
        holders.addAll(List.of("GN-RBRE-GGD35-CIE1", "GN-RBRE-GGD35-CIE1-BTA1", "GN-RBRE-GGD35-CIE2"));
        return u;
    }

    private static void row(StringBuilder u, String code, String level, String parent, String path, String t) {
        u.append(code)
                .append('\t')
                .append("Unit ")
                .append(code)
                .append('\t')
                .append(level)
                .append('\t')
                .append(parent)
                .append('\t')
                .append(path)
                .append('\t')
                .append(t)
                .append('\t')
                .append(t)
                .append("\tfleet-loader\n");
    }

    /** COPY … FROM STDIN in PostgreSQL's text format. */
    private static final class CopyTarget {
        private final PGConnection pg;
        final List<Long> counts = new ArrayList<>();

        CopyTarget(PGConnection pg) {
            this.pg = pg;
        }

        void rows(String table, CharSequence data) throws SQLException, IOException {
            counts.add(pg.getCopyAPI().copyIn("copy " + table + " from stdin", new StringReader(data.toString())));
        }
    }
}
