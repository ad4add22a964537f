-- Position queries (rule 20): a bounding-box index on latest positions, silent devices, and the
-- access audit of every position read.
create index device_state_position on device_state (latitude, longitude) where latitude is not null;
create index device_state_received on device_state (received_at);

create table position_access (
    id           bigint generated always as identity primary key,
    actor        varchar(200)     not null,
    at           timestamptz      not null,
    kind         varchar(16)      not null check (kind in ('RADIUS', 'DEVICE_STATE', 'DEVICE_READINGS')),
    latitude     double precision,
    longitude    double precision,
    radius_m     double precision,
    imei         char(15),
    result_count int              not null
);
create index position_access_at on position_access (at desc);
