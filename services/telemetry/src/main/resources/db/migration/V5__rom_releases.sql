-- ROM releases published by the supplier, one approved per model, for patch compliance (rule 19).
create sequence rom_release_number;
create table rom_release (
    id                   varchar(20)  primary key,
    supplier_id          varchar(64)  not null,
    model                varchar(100) not null,
    build_fingerprint    varchar(200) not null unique,
    patch_level          date         not null,
    kernel_source_sha256 char(64)     not null,
    kernel_config        text         not null,
    bulletin_date        date         not null,
    published_at         timestamptz  not null,
    approved_at          timestamptz,
    approved_by          varchar(200)
);
create unique index rom_release_one_approved_per_model on rom_release (model) where approved_at is not null;
create index device_state_rom_build on device_state (rom_build);
