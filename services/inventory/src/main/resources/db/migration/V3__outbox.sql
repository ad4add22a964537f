-- Transactional outbox: events written in the same transaction as the change that causes them,
-- delivered after commit to the receiving service, retried with back-off until acknowledged.
create table outbox (
    id              bigint generated always as identity primary key,
    event_id        uuid         not null unique,
    destination     varchar(32)  not null,
    kind            varchar(48)  not null,
    subject_id      varchar(100) not null,
    payload         bytea        not null,
    created_at      timestamptz  not null,
    attempts        int          not null default 0,
    next_attempt_at timestamptz  not null,
    last_error      varchar(500),
    delivered_at    timestamptz
);
create index outbox_due on outbox (next_attempt_at, id) where delivered_at is null;
