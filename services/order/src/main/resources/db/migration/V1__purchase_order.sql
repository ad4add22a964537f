-- Skeleton schema of the order service: purchase orders. The domain issue extends it.
create table purchase_order (
    number                 varchar(32) primary key,
    state                  varchar(32) not null check (state in ('DRAFT','SUBMITTED','APPROVED','SENT','ACKNOWLEDGED','PARTIALLY_DELIVERED','DELIVERED','CLOSED','CANCELLED','REJECTED')),
    pack_count             bigint not null default 0 check (pack_count >= 0)
);
