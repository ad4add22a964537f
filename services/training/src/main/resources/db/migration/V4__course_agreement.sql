-- A course's days bill to one framework agreement (issue 15): the agreement whose TRAINING_DAY line
-- it names. Courses billed before agreements were named belong to the agreement in force when this
-- version is installed (NEOGEND_INITIAL_AGREEMENT, the chart's initialAgreement). Without one, an
-- installation that holds billed courses stops here rather than bill their days to no statement.
do $$
begin
    if '${initialAgreement}' = '' and exists (select 1 from course where agreement_item_code is not null) then
        raise exception 'billed courses exist but no initial agreement is set: set NEOGEND_INITIAL_AGREEMENT '
            '(helm: initialAgreement) to the agreement their days bill to, then start again';
    end if;
end
$$;
alter table course add column agreement_id varchar(64);
update course set agreement_id = '${initialAgreement}'
where agreement_item_code is not null and '${initialAgreement}' <> '';
alter table course add constraint course_billed_under_an_agreement
    check ((agreement_item_code is null) = (agreement_id is null));
create index course_agreement on course (agreement_id) where agreement_id is not null;
