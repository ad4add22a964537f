-- The repair (accessories service) a device is under (issue 17): while repair_id is set the device
-- leaves repair only when that repair is closed (EndDeviceRepair naming it), never by
-- ReturnDeviceFromRepair or FailDeviceRepair. The last repair ended is kept with its outcome so that a
-- close repeated after a lost answer is recognised and does nothing twice.
alter table device add column repair_id varchar(20);
alter table device add column ended_repair_id varchar(20);
alter table device add column ended_repair_outcome varchar(10)
    check (ended_repair_outcome in ('REPAIRED', 'FAILED'));
alter table device add constraint device_repair_only_in_repair
    check (repair_id is null or state in ('IN_REPAIR', 'LOST', 'STOLEN', 'PENDING_RETURN', 'RETURNED'));
