-- Devices of the leased fleet (terminaux). Units and packs come with the inventory issue.
create table device (
    imei          char(15)     primary key,
    serial_number varchar(64)  not null,
    model         varchar(100) not null,
    kind          varchar(16)  not null check (kind in ('PHONE', 'TABLET')),
    state         varchar(20)  not null check (state in ('IN_STOCK', 'ASSIGNED', 'IN_REPAIR', 'LOST', 'STOLEN',
                                                         'PENDING_RETURN', 'RETURNED')),
    pack_type     varchar(32)  check (pack_type in ('SMARTPHONE_INDIVIDUAL', 'TABLET_INDIVIDUAL', 'TABLET_COLLECTIVE')),
    unit_code     varchar(100),
    rom_build     varchar(200),
    created_at    timestamptz  not null,
    updated_at    timestamptz  not null,
    version       bigint       not null default 0,
    created_by    varchar(100) not null,
    constraint device_serial_per_model unique (model, serial_number)
);

create index device_state_imei on device (state, imei);
create index device_pack_type_imei on device (pack_type, imei);
-- Subtree filters are "unit_code = X or unit_code like 'X-%'": text_pattern_ops serves the prefix.
create index device_unit_code on device (unit_code text_pattern_ops);
