-- What each reception brought, dated (accessories and spare parts are billed in the month of their
-- reception, rule 13), and the supplier's monthly invoices (rule 14).
create table item_reception (
    id          bigint generated always as identity primary key,
    delivery_id varchar(20) not null references delivery (id),
    item_code   varchar(40) not null,
    quantity    bigint      not null check (quantity > 0),
    received_on date        not null
);
create index item_reception_day on item_reception (received_on);

create sequence invoice_number;
create table invoice (
    id             varchar(20)    primary key,
    agreement_id   varchar(40)    not null references framework_agreement (id),
    invoice_number varchar(64)    not null,
    year           int            not null,
    month          int            not null check (month between 1 and 12),
    total_excl_tax numeric(16, 2) not null,
    created_at     timestamptz    not null,
    created_by     varchar(200)   not null,
    unique (agreement_id, invoice_number)
);

create table invoice_line (
    invoice_id varchar(20)    not null references invoice (id),
    item_code  varchar(40)    not null,
    quantity   bigint         not null check (quantity >= 0),
    amount     numeric(16, 2) not null,
    primary key (invoice_id, item_code)
);
