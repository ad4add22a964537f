-- A course's days bill to one framework agreement (issue 15): the agreement whose TRAINING_DAY line
-- it names. Courses billed before agreements were named belong to the agreement in force when this
-- version is installed (NEOGEND_INITIAL_AGREEMENT); without one they are billed to none until recreated.
alter table course add column agreement_id varchar(64);
update course set agreement_id = '${initialAgreement}'
where agreement_item_code is not null and '${initialAgreement}' <> '';
update course set agreement_item_code = null where agreement_item_code is not null and agreement_id is null;
alter table course add constraint course_billed_under_an_agreement
    check ((agreement_item_code is null) = (agreement_id is null));
create index course_agreement on course (agreement_id) where agreement_id is not null;
