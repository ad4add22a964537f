-- The position-access audit records which devices each read returned, not only how many (rule 20),
-- and the unit a unit map was read for in a column of its own (issue 16).
alter table position_access add column unit_code varchar(64);
update position_access set unit_code = imei, imei = null where kind = 'UNIT_MAP';
alter table position_access alter column imei type char(15);
create table position_access_device (
    access_id bigint   not null references position_access (id) on delete cascade,
    imei      char(15) not null,
    primary key (access_id, imei)
);
-- "who read this device's position": by device, newest first
create index position_access_device_imei on position_access_device (imei, access_id desc);
create index position_access_actor on position_access (actor, id desc);
create index position_access_unit on position_access (unit_code, id desc) where unit_code is not null;
