-- A device's commands not yet acknowledged (queued or delivered): what each upload asks about, in the
-- batch's own statement. The queued-only index served the queued half; the delivered half read the table.
create index device_command_unacknowledged on device_command (imei) where status <> 'ACKNOWLEDGED';
