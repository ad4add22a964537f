-- Skeleton schema of the telemetry service: device statuses. The domain issue extends it.
create table device_status (
    imei                   char(15) primary key,
    battery_percent        integer not null check (battery_percent between 0 and 100),
    security_patch_level   varchar(10) not null
);
