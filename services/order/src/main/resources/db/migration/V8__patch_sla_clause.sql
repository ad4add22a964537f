-- The supplier's patch SLA clause of an agreement (issue 20): days from an Android security bulletin to
-- the release answering it, and the deduction per late day (optional: without it late days are listed,
-- not deducted).
alter table framework_agreement add column patch_delay_days int check (patch_delay_days between 0 and 3650);
alter table framework_agreement add column patch_penalty_per_day numeric(12, 2) check (patch_penalty_per_day >= 0);
alter table framework_agreement add constraint framework_agreement_penalty_needs_a_delay
    check (patch_penalty_per_day is null or patch_delay_days is not null);
