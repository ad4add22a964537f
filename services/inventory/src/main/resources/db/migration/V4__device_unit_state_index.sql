-- Searches within a unit subtree filter on a few unit codes and a state: one index holds both, so
-- PostgreSQL reads the subtree's rows directly instead of walking the whole state in IMEI order.
create index device_unit_state_imei on device (unit_code, state, imei);
