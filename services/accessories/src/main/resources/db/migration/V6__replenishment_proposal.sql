-- A replenishment proposed for a stock alert is recorded before the order service is asked (rule 15): when its
-- answer is lost, whoever proposes the alert again asks for the same draft — these values, under the alert's
-- Idempotency-Key, which the order service keeps per calling service (ADR 0030) — so one alert makes one draft.
create table replenishment_proposal (
    alert_id            bigint       primary key references stock_alert (id),
    proposed_by         varchar(200) not null, -- the fleet manager who proposed first (user name)
    agreement_id        varchar(64)  not null,
    delivery_site       varchar(200) not null,
    requested_date      date         not null,
    agreement_item_code varchar(64)  not null,
    quantity            bigint       not null check (quantity > 0),
    proposed_at         timestamptz  not null
);
