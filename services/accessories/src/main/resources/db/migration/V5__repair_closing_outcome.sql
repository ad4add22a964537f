-- The outcome a close has started to carry out (rule 16): a close that failed half-way (the exchange asked
-- of the supplier, inventory not reached) is finished by repeating it, never turned into the other outcome,
-- and two closes at once cannot carry out both (an exchange asked for a device then declared repaired).
alter table repair add column closing_outcome varchar(10) check (closing_outcome in ('REPAIRED', 'FAILED'));
