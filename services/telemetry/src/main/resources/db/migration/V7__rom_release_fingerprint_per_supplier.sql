-- A build fingerprint is unique per supplier, not across suppliers: a supplier publishing a
-- fingerprint another supplier published must learn nothing of it (no "exists already" answer).
alter table rom_release drop constraint rom_release_build_fingerprint_key;
create unique index rom_release_fingerprint_per_supplier on rom_release (supplier_id, build_fingerprint);
create index rom_release_fingerprint on rom_release (build_fingerprint);
