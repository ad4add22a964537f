-- Maintenance windows of a campaign (issue 20): per unit subtree, Paris local time, in minutes of the day.
create table campaign_window (
    campaign_id  varchar(20) not null references update_campaign (id),
    unit_code    varchar(64) not null,
    start_minute smallint    not null check (start_minute between 0 and 1439),
    end_minute   smallint    not null check (end_minute between 0 and 1439),
    primary key (campaign_id, unit_code),
    check (start_minute <> end_minute)
);
-- copied onto each UPDATE when queued: delivery checks it without a join
alter table device_command add column window_start smallint;
alter table device_command add column window_end smallint;
alter table device_command add constraint device_command_window_whole check ((window_start is null) = (window_end is null));
