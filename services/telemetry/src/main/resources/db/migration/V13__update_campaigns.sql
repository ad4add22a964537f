-- ROM update campaigns (issue 20): an approved release sent to the devices of its model, wave by wave.
create sequence update_campaign_number;
create table update_campaign (
    id                   varchar(20)  primary key,
    release_id           varchar(20)  not null references rom_release (id),
    model                varchar(100) not null,
    unit_code            varchar(64),
    wave_percents        integer[]    not null,
    halt_failure_percent integer      not null check (halt_failure_percent between 1 and 100),
    state                varchar(10)  not null check (state in ('RUNNING', 'PAUSED', 'HALTED', 'CANCELLED', 'COMPLETED')),
    current_wave         integer      not null,
    halt_accepted_wave   integer      not null default 0,
    halt_reason          varchar(300),
    targeted             bigint       not null,
    left_out             bigint       not null,
    created_by           varchar(200) not null,
    created_at           timestamptz  not null
);
create index update_campaign_running on update_campaign (id) where state = 'RUNNING';

-- the devices of a campaign, their wave and their UPDATE once sent; active while the campaign is
create table campaign_device (
    campaign_id varchar(20) not null references update_campaign (id),
    imei        char(15)    not null,
    unit_code   varchar(64) not null,
    wave        integer     not null,
    command_id  bigint      references device_command (id),
    active      boolean     not null default true,
    primary key (campaign_id, imei)
);
-- a device is in one active campaign at most
create unique index campaign_device_one_active_campaign on campaign_device (imei) where active;
create index campaign_device_wave on campaign_device (campaign_id, wave);

alter table device_command drop constraint device_command_status_check;
alter table device_command add constraint device_command_status_check
    check (status in ('QUEUED', 'DELIVERED', 'ACKNOWLEDGED', 'INSTALLED', 'CONFIRMED', 'FAILED', 'WITHDRAWN'));
