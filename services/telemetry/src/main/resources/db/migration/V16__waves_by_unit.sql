-- Campaign waves by unit (issue 20): wave k sends the devices under the units listed for it (element k,
-- comma-separated codes); the devices under none form the last wave. Null for waves by share.
alter table update_campaign add column wave_units text[];
