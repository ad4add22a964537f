-- An order cancelled after the supplier received it (SENT) is notified to the supplier through the same
-- outbox (issue 15): one outbox row per order and kind of message.
alter table supplier_outbox add column kind varchar(16) not null default 'ORDER'
    check (kind in ('ORDER', 'CANCELLATION', 'EXCHANGE'));
update supplier_outbox set kind = 'EXCHANGE' where exchange_number is not null;
alter table supplier_outbox drop constraint supplier_outbox_order_number_key;
create unique index supplier_outbox_one_per_order_and_kind on supplier_outbox (order_number, kind)
    where order_number is not null;
