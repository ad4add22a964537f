-- Depots, stock levels (never negative), every movement, minimum-level alerts (rule 15).
alter table catalogue_item add column fits_models text[] not null default '{}';

create table depot (
    code       varchar(40)  primary key,
    name       varchar(200) not null,
    created_at timestamptz  not null
);

create table stock_level (
    depot_code    varchar(40) not null references depot (code),
    item_code     varchar(64) not null references catalogue_item (code),
    quantity      bigint      not null default 0 check (quantity >= 0),
    minimum       bigint      not null default 0 check (minimum >= 0),
    below_minimum boolean     not null default false,
    primary key (depot_code, item_code)
);

create table stock_movement (
    id            bigint generated always as identity primary key,
    kind          varchar(12)  not null check (kind in ('RECEIPT', 'ISSUE', 'TRANSFER', 'CONSUMPTION')),
    item_code     varchar(64)  not null,
    depot_code    varchar(40)  not null,
    to_depot_code varchar(40),
    quantity      bigint       not null check (quantity > 0),
    reference     varchar(200),
    actor         varchar(200) not null,
    at            timestamptz  not null
);

create table stock_alert (
    id         bigint generated always as identity primary key,
    depot_code varchar(40) not null,
    item_code  varchar(64) not null,
    quantity   bigint      not null,
    minimum    bigint      not null,
    raised_at  timestamptz not null,
    cleared_at timestamptz
);
create index stock_alert_open on stock_alert (raised_at) where cleared_at is null;
