-- UPDATE commands (issue 20): a device is sent an approved ROM release (its signed OTA package and the
-- package's SHA-256, published with the release), says how the installation went, and its readings
-- confirm the new build and patch level.
alter table rom_release add column ota_url varchar(2000);
alter table rom_release add column ota_sha256 char(64);
alter table rom_release add constraint rom_release_ota_whole check ((ota_url is null) = (ota_sha256 is null));

alter table device_command drop constraint device_command_command_check;
alter table device_command add constraint device_command_command_check
    check (command in ('LOCK', 'WIPE', 'LOCATE', 'UPDATE'));
alter table device_command drop constraint device_command_status_check;
alter table device_command add constraint device_command_status_check
    check (status in ('QUEUED', 'DELIVERED', 'ACKNOWLEDGED', 'INSTALLED', 'CONFIRMED', 'FAILED'));
alter table device_command add column release_id varchar(20) references rom_release (id);
alter table device_command add constraint device_command_update_names_its_release
    check ((command = 'UPDATE') = (release_id is not null));
alter table device_command add column outcome_reason varchar(500);
alter table device_command add column postponements integer not null default 0;
alter table device_command add column confirmed_at timestamptz;

-- what an upload asks about: commands still waiting for something from the device
drop index device_command_unacknowledged;
create index device_command_open on device_command (imei) where status in ('QUEUED', 'DELIVERED', 'INSTALLED');
-- one open UPDATE per device, whatever the number of concurrent callers
create unique index device_command_one_open_update on device_command (imei)
    where command = 'UPDATE' and status in ('QUEUED', 'DELIVERED', 'INSTALLED');
