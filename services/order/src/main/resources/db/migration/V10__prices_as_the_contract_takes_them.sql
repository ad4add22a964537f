-- A price is an amount in euros as the contract takes it: 12 digits before the point (api.md, "Request rules").
-- numeric(12, 2) held 10: an agreement pricing an item at 12 digits failed as an internal error.
alter table catalogue_item alter column unit_price type numeric(14, 2);
alter table purchase_order_line alter column unit_price type numeric(14, 2);
