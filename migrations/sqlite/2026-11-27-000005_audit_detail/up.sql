-- Which parts of an object an audit entry's action touched (e.g. `email,phone` for a
-- rectified contact): fixed words from a closed list in Rust, never values. NULL for
-- entries without detail; the chain's MAC covers it only when present, so entries
-- written before this column verify unchanged.
ALTER TABLE audit_log ADD COLUMN detail TEXT;
