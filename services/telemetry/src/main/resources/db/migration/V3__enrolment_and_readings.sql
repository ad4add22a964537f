-- Device credentials (only a hash is kept), readings partitioned by day, the latest state per device
-- (telemetry issue).
create table device_credential (
    id          varchar(24)  primary key,
    imei        char(15)     not null,
    secret_hash bytea        not null,
    created_at  timestamptz  not null,
    created_by  varchar(200) not null,
    revoked_at  timestamptz
);
create unique index device_credential_active on device_credential (imei) where revoked_at is null;

-- A reading is identified by its device, its time and the device's sequence number: a batch sent
-- again hits the same keys and stores nothing twice. Partitions are days (created ahead, dropped by
-- the retention job); the default partition only catches what no day partition covers.
create table reading (
    imei            char(15)         not null,
    recorded_at     timestamptz      not null,
    sequence        bigint           not null,
    received_at     timestamptz      not null,
    battery_percent smallint         not null,
    charging        boolean          not null,
    latitude        double precision,
    longitude       double precision,
    accuracy_m      real,
    network         varchar(8)       not null,
    patch_level     date,
    rom_build       varchar(200),
    kernel_version  varchar(200),
    free_storage_mb bigint,
    agent_version   varchar(40),
    primary key (imei, recorded_at, sequence)
) partition by range (recorded_at);
create table reading_default partition of reading default;

create table device_state (
    imei            char(15)         primary key,
    recorded_at     timestamptz      not null,
    sequence        bigint           not null,
    received_at     timestamptz      not null,
    battery_percent smallint         not null,
    charging        boolean          not null,
    latitude        double precision,
    longitude       double precision,
    accuracy_m      real,
    network         varchar(8)       not null,
    patch_level     date,
    rom_build       varchar(200),
    kernel_version  varchar(200),
    free_storage_mb bigint,
    agent_version   varchar(40)
);

alter table device_command add column delivered_at timestamptz;
alter table device_command add column acknowledged_at timestamptz;
