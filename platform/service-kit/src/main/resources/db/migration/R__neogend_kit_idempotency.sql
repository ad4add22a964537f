-- Service kit (every service): results of creating calls made with an Idempotency-Key, per client.
-- A repeatable migration, so it runs after each service's own versioned ones whatever their numbers.
create table if not exists idempotency_record (
    client_id     varchar(200) not null,
    idem_key      varchar(100) not null,
    method        varchar(200) not null,
    request_hash  bytea        not null,
    state         varchar(10)  not null check (state in ('IN_FLIGHT', 'DONE')),
    response      bytea,
    created_at    timestamptz  not null default now(),
    completed_at  timestamptz,
    primary key (client_id, idem_key)
);
create index if not exists idempotency_record_created on idempotency_record (created_at);
