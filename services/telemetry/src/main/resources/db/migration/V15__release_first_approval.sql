-- The supplier's patch SLA (issue 20): when a release was first approved is kept, although approving
-- a newer release of the model ends its approval (approved_at is cleared then).
alter table rom_release add column first_approved_at timestamptz;
update rom_release set first_approved_at = approved_at where approved_at is not null;
create index rom_release_supplier_published on rom_release (supplier_id, published_at);
create index update_campaign_release on update_campaign (release_id);
