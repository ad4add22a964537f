-- Stock movements can be listed and exported (issue 17): by depot (out of it or into it), item,
-- repair, actor and day, in the order recorded. A part consumed in a repair names the repair in its own
-- column (earlier ones are read from their reference, "repair RP-000001"). Cleared alerts are listed too.
alter table stock_movement add column repair_id varchar(20);
update stock_movement set repair_id = substring(reference from '^repair (RP-[0-9]+)$')
    where kind = 'CONSUMPTION' and reference ~ '^repair RP-[0-9]+$';
create index stock_movement_depot on stock_movement (depot_code, id);
create index stock_movement_to_depot on stock_movement (to_depot_code, id) where to_depot_code is not null;
create index stock_movement_item on stock_movement (item_code, id);
create index stock_movement_repair on stock_movement (repair_id, id) where repair_id is not null;
create index stock_movement_actor on stock_movement (actor, id);
create index stock_movement_at on stock_movement (at, id);
create index stock_alert_cleared on stock_alert (id) where cleared_at is not null;
