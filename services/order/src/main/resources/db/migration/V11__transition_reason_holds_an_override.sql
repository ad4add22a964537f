-- A transition's reason holds what the caller wrote (at most 500 characters, the contract's limit) and, for a
-- budget override, what it overrode: "budget override (… committed in … for an envelope of …): " before it.
-- At varchar(500) an override whose reason took the 500 characters allowed failed as an internal error.
alter table purchase_order_transition alter column reason type varchar(1000);
