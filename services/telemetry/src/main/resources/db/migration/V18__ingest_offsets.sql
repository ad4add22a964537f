-- ingest: kafka (ADR 0025): where the writers of the readings' log are in each partition, written in the
-- same transaction as the readings it covers, so a consumer crash, a rebalance or a paused consumer never
-- loses nor doubles a reading.
create table ingest_offset (
    topic       varchar(249) not null,
    partition   integer      not null,
    next_offset bigint       not null,
    primary key (topic, partition)
);
