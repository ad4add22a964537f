-- Sessions with capacity and a waiting list, results and certifications (training issue, rule 17).
alter table course add column model_families text[] not null default '{}';
alter table course add column certification_validity_months int not null default 24
    check (certification_validity_months > 0);

create sequence training_session_number;
create table training_session (
    id          varchar(20)  primary key,
    course_code varchar(64)  not null references course (code),
    start_date  date         not null,
    end_date    date         not null,
    place       varchar(200) not null,
    capacity    int          not null check (capacity > 0),
    trainer     varchar(200) not null,
    created_at  timestamptz  not null,
    check (end_date >= start_date)
);

-- One row per technician and session; the waiting list is the WAITLISTED rows in order of arrival.
create table enrolment (
    id          bigint generated always as identity primary key,
    session_id  varchar(20)  not null references training_session (id),
    technician  varchar(100) not null,
    status      varchar(12)  not null check (status in ('ENROLLED', 'WAITLISTED', 'WITHDRAWN', 'PASSED', 'FAILED',
                                                        'ABSENT')),
    updated_at  timestamptz  not null,
    unique (session_id, technician)
);

create table certification (
    id             bigint generated always as identity primary key,
    technician     varchar(100) not null,
    course_code    varchar(64)  not null references course (code),
    model_families text[]       not null,
    issued_on      date         not null,
    valid_until    date         not null,
    session_id     varchar(20)  not null references training_session (id)
);
create index certification_technician on certification (technician, valid_until);
create index certification_valid_until on certification (valid_until);
