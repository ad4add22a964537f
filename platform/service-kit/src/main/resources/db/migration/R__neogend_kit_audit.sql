-- Service kit (every service): the audit trail of every write call — who, when, what, how it ended.
-- Append-only: updates, deletes and truncation are refused by the database itself, whoever asks
-- (no API route touches it; this guards against the service's own code and its SQL access too).
create table if not exists audit_event (
    id             bigint generated always as identity primary key,
    at             timestamptz  not null default now(),
    actor          varchar(200) not null,
    roles          varchar(300) not null,
    method         varchar(200) not null,
    status         varchar(30)  not null,
    request        text         not null,
    correlation_id varchar(100)
);
create index if not exists audit_event_at on audit_event (at);

create or replace function neogend_audit_is_append_only() returns trigger language plpgsql as $$
begin
    raise exception 'the audit trail is append-only: % refused', tg_op using errcode = 'insufficient_privilege';
end
$$;
drop trigger if exists audit_event_append_only on audit_event;
create trigger audit_event_append_only before update or delete on audit_event
    for each row execute function neogend_audit_is_append_only();
drop trigger if exists audit_event_no_truncate on audit_event;
create trigger audit_event_no_truncate before truncate on audit_event
    for each statement execute function neogend_audit_is_append_only();
