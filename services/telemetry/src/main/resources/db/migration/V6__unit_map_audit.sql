-- Unit maps are position reads too (rule 20): the audit records them, with the unit's code.
alter table position_access drop constraint position_access_kind_check;
alter table position_access add constraint position_access_kind_check
    check (kind in ('RADIUS', 'DEVICE_STATE', 'DEVICE_READINGS', 'UNIT_MAP'));
alter table position_access alter column imei type varchar(100);
