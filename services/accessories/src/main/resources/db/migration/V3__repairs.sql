-- Repairs by certified technicians with the parts they consumed (rule 16); replenishment drafts for
-- stock alerts; catalogue items' agreement price lines.
alter table catalogue_item add column agreement_item_code varchar(64);
alter table stock_alert add column draft_order_number varchar(32);

create sequence repair_number;
create table repair (
    id                      varchar(20)  primary key,
    imei                    varchar(15)  not null,
    model                   varchar(200) not null,
    depot_code              varchar(40)  not null references depot (code),
    technician              varchar(100) not null,
    state                   varchar(10)  not null check (state in ('OPEN', 'REPAIRED', 'FAILED')),
    fault                   varchar(500) not null,
    diagnosis               varchar(500),
    opened_at               timestamptz  not null,
    closed_at               timestamptz,
    closed_by               varchar(100),
    exchange_request_number varchar(32),
    check ((state = 'OPEN') = (closed_at is null))
);
-- one open repair per device
create unique index repair_open_per_device on repair (imei) where state = 'OPEN';
create index repair_by_device on repair (imei, id);

create table repair_part (
    id          bigint generated always as identity primary key,
    repair_id   varchar(20)  not null references repair (id),
    item_code   varchar(64)  not null references catalogue_item (code),
    quantity    bigint       not null check (quantity > 0),
    recorded_by varchar(100) not null,
    recorded_at timestamptz  not null
);
create index repair_part_repair on repair_part (repair_id, id);
