-- Offers (issue 18): a resolution may be offered to the customer, who accepts it in the portal
-- (it is applied then) or declines it. Several offered on one dispute are alternatives: the
-- customer accepts one, and the others are declined with it.
ALTER TABLE resolutions DROP CONSTRAINT resolutions_status_check;
ALTER TABLE resolutions ADD CONSTRAINT resolutions_status_check
    CHECK (status IN ('pending_approval', 'offered', 'applied', 'refused', 'declined'));
-- 1: offered to the customer, who chooses (once approved, when it needs an approver).
ALTER TABLE resolutions ADD COLUMN offered INTEGER NOT NULL DEFAULT 0 CHECK (offered IN (0, 1));
-- When the customer accepted or declined it, and what they said.
ALTER TABLE resolutions ADD COLUMN answered_at TEXT;
ALTER TABLE resolutions ADD COLUMN answer_note TEXT;

-- The messages that failed for good, counted on the desk's pages (those waiting have
-- outbox_due).
CREATE INDEX outbox_failed ON outbox (message_id) WHERE state = 'failed';
