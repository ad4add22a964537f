-- The unit whose maintenance window a campaign's device is handed its UPDATE in (issue 20): the deepest unit
-- with a window above it in inventory's unit tree, decided when the campaign starts or the device joins, on
-- the caller's behalf (unit codes are names, not paths; the waves the service starts on its own cannot ask
-- inventory). Null: no window, any time.
alter table campaign_device add column window_unit varchar(64);

-- Campaigns started before keep the windows they were planned with then: the longest window unit code that is
-- the device's unit code or a prefix of it followed by '-'.
update campaign_device d
set window_unit = (select w.unit_code
                   from campaign_window w
                   where w.campaign_id = d.campaign_id
                     and (d.unit_code = w.unit_code or left(d.unit_code, length(w.unit_code) + 1) = w.unit_code || '-')
                   order by length(w.unit_code) desc
                   limit 1)
where exists (select 1 from campaign_window w where w.campaign_id = d.campaign_id);
