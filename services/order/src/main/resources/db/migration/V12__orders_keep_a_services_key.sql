-- Rule 15: the Idempotency-Key a service sends on its own behalf (ADR 0030), e.g. accessories' stock-alert-<id>,
-- names the order it created for good (the kit forgets keys after 24 h): '<service>:<key>'.
alter table purchase_order add column service_key varchar(400) unique;
