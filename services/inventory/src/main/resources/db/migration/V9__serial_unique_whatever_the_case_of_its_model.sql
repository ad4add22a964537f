-- Rule 7: a model written in another case is the same model ("RUGGED X5" is "Rugged X5"): a serial number is
-- unique per model whatever the case of either, also between two registrations at the same moment. As in V8, a
-- database that already holds one serial under two spellings of a model keeps running (the service refuses new
-- ones); the index is then not created and a warning says which to resolve (docs/operations.md). upper() folds
-- what the database's locale folds (ASCII letters only under the C locale): the service compares models whatever
-- their case itself, accented letters included, and refuses a model the fleet writes in another case first.
do $$
begin
    if exists (select 1 from device group by upper(model), upper(serial_number) having count(*) > 1) then
        raise warning 'device serial numbers of models differing only by case exist: unique index device_serial_any_case_of_model not created';
    else
        create unique index device_serial_any_case_of_model on device (upper(model), upper(serial_number));
    end if;
end
$$;
