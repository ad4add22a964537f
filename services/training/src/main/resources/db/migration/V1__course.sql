-- Skeleton schema of the training service: courses. The domain issue extends it.
create table course (
    code                   varchar(64) primary key,
    title                  varchar(200) not null,
    duration_days          integer not null check (duration_days > 0)
);
