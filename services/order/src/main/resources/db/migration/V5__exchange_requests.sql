-- Exchange requests for devices that could not be repaired (rule 16), sent to the supplier through
-- the same outbox as approved orders: each outbox row now carries an order or an exchange request.
create sequence exchange_request_number;
create table exchange_request (
    number             varchar(32)  primary key,
    agreement_id       varchar(40)  not null references framework_agreement (id),
    imei               varchar(15)  not null,
    model              varchar(200) not null,
    reason             varchar(500) not null,
    repair_reference   varchar(100),
    state              varchar(12)  not null check (state in ('REQUESTED', 'SENT', 'REFUSED')),
    requested_by       varchar(100) not null,
    requested_at       timestamptz  not null,
    supplier_reference varchar(100),
    refusal_reason     varchar(500)
);
-- one live request per device: a second one is refused unless the first was refused by the supplier
create unique index exchange_request_live_per_device on exchange_request (imei) where state <> 'REFUSED';
create index exchange_request_newest on exchange_request (requested_at desc, number desc);

alter table supplier_outbox alter column order_number drop not null;
alter table supplier_outbox add column exchange_number varchar(32) unique references exchange_request (number);
alter table supplier_outbox add constraint supplier_outbox_one_subject
    check ((order_number is null) <> (exchange_number is null));
