-- The skeleton's device_status table (and its GET /api/v1/device-statuses) is gone: the latest state of
-- a device is device_state, read through GET /api/v1/devices/{imei}/state (issue 16).
drop table if exists device_status;
