package fr.interieur.neogend.telemetry;

import org.springframework.test.context.TestPropertySource;

/**
 * Every ingestion test again as before issue 16's changes, kept for the benchmark's side-by-side runs: a
 * batch's arrays sent as text ({@code neogend.telemetry.batch-arrays=text}) and each upload in one
 * transaction asking for its commands every time ({@code neogend.telemetry.upload-transaction=one}): both
 * ways store, refuse, deduplicate and hand out commands alike.
 */
@TestPropertySource(properties = {"neogend.telemetry.batch-arrays=text", "neogend.telemetry.upload-transaction=one"})
class IngestionTextArraysIT extends IngestionIT {}
