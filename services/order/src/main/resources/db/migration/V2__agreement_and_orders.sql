-- The framework agreement, its price schedule and budget envelopes, and purchase orders with their
-- lines and every state change (order issue). The skeleton's purchase_order table held no data.
drop table purchase_order;

create table framework_agreement (
    id              varchar(40)   primary key,
    title           varchar(200)  not null,
    supplier_id     varchar(64)   not null,
    supplier_name   varchar(200)  not null,
    notified_on     date          not null,
    term_months     int           not null check (term_months between 1 and 120),
    min_packs       bigint        not null check (min_packs >= 0),
    max_packs       bigint        not null check (max_packs >= min_packs),
    estimated_value numeric(16, 2) not null check (estimated_value >= 0),
    vat_rate        numeric(5, 4) not null check (vat_rate >= 0 and vat_rate < 1),
    created_at      timestamptz   not null,
    created_by      varchar(100)  not null
);
create index framework_agreement_supplier on framework_agreement (supplier_id);

create table budget_envelope (
    agreement_id varchar(40)    not null references framework_agreement (id),
    fiscal_year  int            not null check (fiscal_year between 2000 and 2100),
    amount       numeric(16, 2) not null check (amount >= 0),
    primary key (agreement_id, fiscal_year)
);

create table catalogue_item (
    agreement_id varchar(40)    not null references framework_agreement (id),
    code         varchar(40)    not null,
    kind         varchar(16)    not null check (kind in ('PACK_LEASE', 'ACCESSORY', 'SPARE_PART', 'TRAINING_DAY')),
    label        varchar(200)   not null,
    pack_type    varchar(32)    check (pack_type in ('SMARTPHONE_INDIVIDUAL', 'TABLET_INDIVIDUAL', 'TABLET_COLLECTIVE')),
    unit_price   numeric(12, 2) not null check (unit_price >= 0),
    primary key (agreement_id, code),
    check ((kind = 'PACK_LEASE') = (pack_type is not null))
);

create sequence purchase_order_number;
create table purchase_order (
    number         varchar(32)    primary key,
    agreement_id   varchar(40)    not null references framework_agreement (id),
    state          varchar(24)    not null check (state in ('DRAFT', 'SUBMITTED', 'APPROVED', 'SENT', 'ACKNOWLEDGED',
                                                            'PARTIALLY_DELIVERED', 'DELIVERED', 'CLOSED', 'CANCELLED',
                                                            'REJECTED')),
    delivery_site  varchar(300)   not null,
    requested_date date           not null,
    fiscal_year    int            not null,
    amount         numeric(16, 2) not null check (amount >= 0),
    pack_count     bigint         not null check (pack_count >= 0),
    created_at     timestamptz    not null,
    created_by     varchar(100)   not null,
    updated_at     timestamptz    not null,
    version        bigint         not null default 0
);
create index purchase_order_agreement_state on purchase_order (agreement_id, state);
create index purchase_order_created on purchase_order (created_at desc, number desc);

create table purchase_order_line (
    order_number varchar(32)    not null references purchase_order (number),
    line_no      int            not null,
    item_code    varchar(40)    not null,
    kind         varchar(16)    not null,
    pack_type    varchar(32),
    quantity     bigint         not null check (quantity > 0),
    unit_price   numeric(12, 2) not null,
    primary key (order_number, line_no)
);

create table purchase_order_transition (
    id           bigint generated always as identity primary key,
    order_number varchar(32)  not null references purchase_order (number),
    from_state   varchar(24),
    to_state     varchar(24)  not null,
    actor        varchar(100) not null,
    at           timestamptz  not null,
    reason       varchar(500)
);
create index purchase_order_transition_order on purchase_order_transition (order_number, id);

-- Approved orders waiting to reach the supplier (rule 6), written in the approval's transaction.
create table supplier_outbox (
    id                 bigint generated always as identity primary key,
    order_number       varchar(32)  not null unique references purchase_order (number),
    payload            jsonb        not null,
    created_at         timestamptz  not null,
    attempts           int          not null default 0,
    next_attempt_at    timestamptz  not null,
    last_error         varchar(500),
    delivered_at       timestamptz,
    refused_at         timestamptz,
    supplier_reference varchar(100)
);
create index supplier_outbox_due on supplier_outbox (next_attempt_at, id) where delivered_at is null and refused_at is null;
