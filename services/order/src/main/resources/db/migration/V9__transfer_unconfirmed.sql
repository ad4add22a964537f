-- An agreement packs may have been transferred into without order storing their count since (a transfer cut
-- after inventory moved them): until a transfer into it completes, its count of packs transferred in is read
-- from inventory, for its maximum and its consumption. Written in a transaction of its own, beside the
-- agreement's row lock the transfer holds: no foreign key (its check would wait for that lock).
create table transfer_unconfirmed (
    agreement_id varchar(40) primary key,
    since        timestamptz not null
);
