-- When a dispute was resolved (issue 17's analytics): time to resolution runs from its opening
-- to here, not to its last change, which its closing would move. Set when a dispute is resolved
-- (or closed, which only a resolved one can be) and kept from then on.
ALTER TABLE disputes ADD COLUMN resolved_at TEXT;
-- Disputes resolved before this column: their last change is the best moment known.
UPDATE disputes SET resolved_at = updated_at WHERE status IN ('resolved', 'closed');
