-- Skeleton schema of the accessories service: catalogue items. The domain issue extends it.
create table catalogue_item (
    code                   varchar(64) primary key,
    label                  varchar(200) not null,
    category               varchar(16) not null check (category in ('ACCESSORY','SPARE_PART'))
);
