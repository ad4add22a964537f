-- Packs an agreement received from its predecessor by transfer (issue 15), per pack type: inventory
-- holds the packs' periods; this is its count after the last transfer into the agreement, read back
-- from inventory, so consumption and the maximum checked at approval need no call to inventory.
create table transferred_packs (
    agreement_id varchar(40) not null references framework_agreement (id),
    pack_type    varchar(32) not null,
    packs        bigint      not null check (packs >= 0),
    updated_at   timestamptz not null,
    primary key (agreement_id, pack_type)
);
