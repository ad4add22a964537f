-- The waiting list is in order of arrival (issue 17): each enrolment — a re-enrolment after a withdrawal
-- included — takes the next number; promotion takes the lowest waiting number, never a reused row's id.
create sequence enrolment_arrival;
alter table enrolment add column arrival bigint;
update enrolment set arrival = id;
select setval('enrolment_arrival', coalesce((select max(arrival) from enrolment), 0) + 1, false);
alter table enrolment alter column arrival set not null;
alter table enrolment alter column arrival set default nextval('enrolment_arrival');
create index enrolment_waiting on enrolment (session_id, arrival) where status = 'WAITLISTED';
