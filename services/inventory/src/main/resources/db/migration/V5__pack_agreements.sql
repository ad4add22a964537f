-- Every pack is leased under a framework agreement (issue 15): the agreement of the order it was
-- received for, or the one named when it was registered outside an order. A transfer to a successor
-- agreement closes one period and opens the next, so each pack-day belongs to exactly one agreement.
create table pack_agreement (
    pack_id      varchar(20)  not null references pack (id),
    agreement_id varchar(64)  not null,
    valid_from   date         not null,
    valid_until  date,
    recorded_at  timestamptz  not null,
    recorded_by  varchar(200) not null,
    primary key (pack_id, valid_from),
    check (valid_until is null or valid_until > valid_from)
);
create index pack_agreement_by_agreement on pack_agreement (agreement_id, pack_id);

-- The agreement a pack is leased under now (the period without an end), for filters and lists.
alter table pack add column agreement_id varchar(64);
create index pack_by_agreement on pack (agreement_id, type) where lease_end is null;

-- Packs received before agreements were recorded: the agreement in force when this version is
-- installed (NEOGEND_INITIAL_AGREEMENT, the chart's initialAgreement). Without one, an
-- installation that holds packs stops here rather than leave them billed by no statement.
do $$
begin
    if '${initialAgreement}' = '' and exists (select 1 from pack) then
        raise exception 'packs exist but no initial agreement is set: set NEOGEND_INITIAL_AGREEMENT '
            '(helm: initialAgreement) to the agreement they are leased under, then start again';
    end if;
end
$$;
insert into pack_agreement (pack_id, agreement_id, valid_from, valid_until, recorded_at, recorded_by)
select id, '${initialAgreement}', lease_start, null, now(), 'migration V5'
from pack where '${initialAgreement}' <> '';
update pack set agreement_id = '${initialAgreement}' where '${initialAgreement}' <> '';

-- Devices exchanged out of a pack stay the agreement's to return (rule 12): found from the packs'
-- EXCHANGE_IN history (its "before" names the device that left).
create index history_pack_exchange_in on history (subject_id) where subject_type = 'PACK' and action = 'EXCHANGE_IN';
