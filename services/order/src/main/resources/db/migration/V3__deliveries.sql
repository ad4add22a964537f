-- Delivery notes (bons de livraison) posted by the supplier and their reception (rule 5).
create sequence delivery_number;
create table delivery (
    id                   varchar(20)  primary key,
    order_number         varchar(32)  not null references purchase_order (number),
    agreement_id         varchar(40)  not null references framework_agreement (id),
    delivery_note_number varchar(64)  not null,
    state                varchar(20)  not null check (state in ('POSTED', 'PARTIALLY_RECEIVED', 'RECEIVED')),
    created_at           timestamptz  not null,
    created_by           varchar(200) not null,
    unique (agreement_id, delivery_note_number)
);
create index delivery_order on delivery (order_number, id);

-- A device is delivered once over all deliveries (rule 5): the IMEI is the key.
create table delivered_device (
    imei          char(15)     primary key,
    delivery_id   varchar(20)  not null references delivery (id),
    item_code     varchar(40)  not null,
    serial_number varchar(64)  not null,
    model         varchar(100) not null,
    kind          varchar(8)   not null check (kind in ('PHONE', 'TABLET')),
    received_on   date
);
create index delivered_device_delivery on delivered_device (delivery_id);

create table delivered_item (
    delivery_id       varchar(20) not null references delivery (id),
    item_code         varchar(40) not null,
    quantity          bigint      not null check (quantity > 0),
    received_quantity bigint      not null default 0 check (received_quantity between 0 and quantity),
    primary key (delivery_id, item_code)
);
