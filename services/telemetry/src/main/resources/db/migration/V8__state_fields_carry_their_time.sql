-- Every field of the latest state carries the time it was measured (issue 16): the position is that of
-- the newest reading that had a fix, the software (patch level, build, kernel, agent) that of the newest
-- reading that told it, each with its own time — never older coordinates under a newer reading's time.
alter table device_state add column position_recorded_at timestamptz;
alter table device_state add column position_sequence bigint;
alter table device_state add column software_recorded_at timestamptz;
alter table device_state add column software_sequence bigint;
-- rows merged before: the best that is known is the state's own time
update device_state set position_recorded_at = recorded_at, position_sequence = sequence where latitude is not null;
update device_state set software_recorded_at = recorded_at, software_sequence = sequence
    where patch_level is not null or rom_build is not null;
-- age filters (near, unit map) and the retention read the position's own time
create index device_state_position_time on device_state (position_recorded_at) where position_recorded_at is not null;
