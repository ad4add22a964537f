package fr.interieur.neogend.telemetry;

import org.springframework.test.context.TestPropertySource;

/**
 * Every ingestion test again with a batch's arrays sent as text ({@code neogend.telemetry.batch-arrays=text},
 * the encoding before issue 16's change, kept for the benchmark's side-by-side run): both encodings store,
 * refuse and deduplicate alike.
 */
@TestPropertySource(properties = "neogend.telemetry.batch-arrays=text")
class IngestionTextArraysIT extends IngestionIT {
}
