-- Ready for Citus (ADR 0023, issue 21): the tables to be distributed by device keep every primary and
-- unique key, and every foreign key between them, on the device's IMEI, so each is checked inside one
-- shard. On plain PostgreSQL nothing changes in behaviour: an IMEI is part of each event, command and
-- revocation already; the keys now say so.
alter table device_revocation drop constraint device_revocation_event_id_fkey;
alter table device_command drop constraint device_command_event_id_fkey;
alter table campaign_device drop constraint campaign_device_command_id_fkey;

-- an inventory event concerns one device: stored once per device and event id
alter table inventory_event drop constraint inventory_event_pkey;
alter table inventory_event add constraint inventory_event_pkey primary key (imei, event_id);
drop index inventory_event_imei;

-- a command belongs to one device; its id stays unique by its sequence and is still looked up alone
alter table device_command drop constraint device_command_pkey;
alter table device_command add constraint device_command_pkey primary key (imei, id);
create index device_command_id on device_command (id);
alter table device_command drop constraint device_command_event_id_command_key;
alter table device_command add constraint device_command_event_command unique (imei, event_id, command);

alter table device_revocation add constraint device_revocation_event
    foreign key (imei, event_id) references inventory_event (imei, event_id);
alter table device_command add constraint device_command_event
    foreign key (imei, event_id) references inventory_event (imei, event_id);
alter table campaign_device add constraint campaign_device_command
    foreign key (imei, command_id) references device_command (imei, id);
