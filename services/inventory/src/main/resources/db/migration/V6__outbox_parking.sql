-- An event the receiver refuses for good (INVALID_ARGUMENT, FAILED_PRECONDITION, OUT_OF_RANGE, or a
-- payload we cannot read) is parked: never retried by the relay, kept with its reason for a person
-- (docs/operations.md), counted by the gauge neogend.outbox.parked. The rest of the outbox flows on.
alter table outbox
    add column parked_at     timestamptz,
    add column parked_reason varchar(500);

-- Due events: only those still waiting (neither delivered nor parked).
drop index outbox_due;
create index outbox_due on outbox (next_attempt_at, id) where delivered_at is null and parked_at is null;

-- A device's events are delivered in order of id: the relay takes only the oldest waiting event of each
-- device (its head), found through this index.
create index outbox_waiting_per_subject on outbox (subject_id, id) where delivered_at is null and parked_at is null;

-- Parked events not dealt with yet: the gauge neogend.outbox.parked counts them every 10 s.
create index outbox_parked on outbox (id) where parked_at is not null and delivered_at is null;
