-- Events received from the inventory service (at-least-once delivery: stored once by event_id),
-- the revocations they cause and the remote commands they queue (DOMAIN rule 11).
create table inventory_event (
    event_id         uuid        primary key,
    kind             varchar(24) not null check (kind in ('DEVICE_LOST', 'DEVICE_STOLEN', 'DEVICE_EXCHANGED',
                                                          'DEVICE_RETURNED')),
    imei             char(15)    not null,
    occurred_at      timestamptz not null,
    replacement_imei char(15),
    pack_id          varchar(20),
    received_at      timestamptz not null
);
create index inventory_event_imei on inventory_event (imei);

-- A revoked device is refused on its next request (enrolment comes with the telemetry issue).
create table device_revocation (
    imei       char(15)    primary key,
    reason     varchar(24) not null,
    revoked_at timestamptz not null,
    event_id   uuid        not null references inventory_event (event_id)
);

-- Commands waiting for the device's next contact.
create table device_command (
    id         bigint generated always as identity primary key,
    imei       char(15)    not null,
    command    varchar(8)  not null check (command in ('LOCK', 'WIPE', 'LOCATE')),
    status     varchar(12) not null default 'QUEUED' check (status in ('QUEUED', 'DELIVERED', 'ACKNOWLEDGED')),
    queued_at  timestamptz not null,
    event_id   uuid references inventory_event (event_id),
    unique (event_id, command)
);
create index device_command_queued on device_command (imei) where status = 'QUEUED';
