-- The organisation tree, mobility packs and the history of every change (inventory issue).

-- Units. The code is a stable name; the tree lives in parent_code and in path, the codes of the
-- ancestors and the unit itself as '/A/B/C/'. A subtree is "path like '/A/B/%'" (codes hold only
-- A-Z, 0-9 and '-': no LIKE wildcards). Moving a unit rewrites the paths of its subtree.
create table unit (
    code        varchar(100) primary key,
    name        varchar(200) not null,
    level       varchar(16)  not null check (level in ('NATIONAL', 'REGION', 'GROUPEMENT', 'COMPAGNIE', 'BRIGADE',
                                                       'DIRECTION', 'COMMISSARIAT')),
    parent_code varchar(100) references unit (code),
    path        text collate "C" not null unique,
    created_at  timestamptz  not null,
    updated_at  timestamptz  not null,
    version     bigint       not null default 0,
    created_by  varchar(100) not null
);
create index unit_parent_code on unit (parent_code, code);

-- Devices registered before units existed named their unit by code only, parent first, parts joined
-- by '-'. Their tree is rebuilt from the codes so that no device loses its unit.
with codes as (
    select distinct string_to_array(unit_code, '-') as parts from device where unit_code is not null
), prefixes as (
    select distinct array_to_string(parts[1:n], '-') as code, n as depth, parts[1] as root
    from codes, generate_series(1, array_length(parts, 1)) as n
)
insert into unit (code, name, level, parent_code, path, created_at, updated_at, created_by)
select p.code, p.code,
       case when p.depth = 1 then 'NATIONAL'
            when p.root = 'PN' and p.depth = 2 then 'DIRECTION'
            when p.root = 'PN' then 'COMMISSARIAT'
            when p.depth = 2 then 'REGION'
            when p.depth = 3 then 'GROUPEMENT'
            when p.depth = 4 then 'COMPAGNIE'
            else 'BRIGADE' end,
       case when p.depth = 1 then null else regexp_replace(p.code, '-[^-]*$', '') end,
       (select '/' || string_agg(array_to_string((string_to_array(p.code, '-'))[1:k], '-'), '/' order by k) || '/'
        from generate_series(1, p.depth) as k),
       now(), now(), 'migration V2'
from prefixes p;

alter table device add constraint device_unit foreign key (unit_code) references unit (code);
alter table device add column received_on date;
update device set received_on = (created_at at time zone 'Europe/Paris')::date;
alter table device alter column received_on set not null;
alter table device add column police_report_reference varchar(100);
alter table device add column updated_by varchar(100);
update device set updated_by = created_by;
alter table device alter column updated_by set not null;
create index device_model_imei on device (model, imei);
create index device_rom_build on device (rom_build);
create index device_updated_at on device (updated_at desc, imei desc);

-- Packs: the leased, billed unit. device_imei is the device in the pack now (none once ended).
create sequence pack_number;
create table pack (
    id              varchar(20)  primary key,
    type            varchar(32)  not null check (type in ('SMARTPHONE_INDIVIDUAL', 'TABLET_INDIVIDUAL', 'TABLET_COLLECTIVE')),
    device_imei     char(15)     unique references device (imei),
    unit_code       varchar(100) references unit (code),
    holder_agent_id varchar(64),
    accessories     text[]       not null default '{}',
    -- Handed to its holder (the agent, or the unit for a collective pack); a device back from repair
    -- goes ASSIGNED again when its pack is held.
    held            boolean      not null default false,
    lease_start     date         not null,
    lease_end       date,
    created_at      timestamptz  not null,
    updated_at      timestamptz  not null,
    version         bigint       not null default 0,
    check (lease_end is null or lease_end >= lease_start),
    check (type <> 'TABLET_COLLECTIVE' or holder_agent_id is null)
);
create index pack_holder_agent on pack (holder_agent_id) where holder_agent_id is not null;
create index pack_unit_code on pack (unit_code);
-- Lease intervals of a month: packs whose lease overlaps it.
create index pack_lease on pack (lease_start, lease_end);

-- Devices registered with a pack type before packs existed arrived as packs.
insert into pack (id, type, device_imei, unit_code, held, lease_start, created_at, updated_at)
select 'PK-' || lpad(nextval('pack_number')::text, 7, '0'), pack_type, imei, unit_code, state = 'ASSIGNED', received_on,
       created_at, created_at
from device where pack_type is not null and state <> 'RETURNED' order by imei;

-- Every change of a device or pack: who, when, the changed fields before and after.
create table history (
    id           bigint generated always as identity primary key,
    subject_type varchar(8)   not null check (subject_type in ('DEVICE', 'PACK', 'UNIT')),
    subject_id   varchar(100) not null,
    device_imei  char(15),
    action       varchar(32)  not null,
    actor        varchar(100) not null,
    at           timestamptz  not null,
    before       jsonb,
    after        jsonb        not null
);
create index history_device on history (device_imei, id) where device_imei is not null;
create index history_subject on history (subject_type, subject_id, id);
