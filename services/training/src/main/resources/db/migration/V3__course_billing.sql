-- A course's day is billed at a line of the agreement's price schedule (training days on the statement).
alter table course add column agreement_item_code varchar(64);
create index training_session_month on training_session (start_date, end_date);
