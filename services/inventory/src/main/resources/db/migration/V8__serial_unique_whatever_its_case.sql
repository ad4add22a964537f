-- Rule 7: a serial number is unique per model whatever its case ("sn-2" is the device "SN-2" is), also
-- between two registrations at the same moment. A database that already holds two serials of one model
-- differing only by case keeps running (the service refuses new ones); the index is then not created and
-- a warning says which to resolve (docs/operations.md).
do $$
begin
    if exists (select 1 from device group by model, upper(serial_number) having count(*) > 1) then
        raise warning 'device serial numbers differing only by case exist: unique index device_serial_any_case not created';
    else
        create unique index device_serial_any_case on device (model, upper(serial_number));
    end if;
end
$$;
