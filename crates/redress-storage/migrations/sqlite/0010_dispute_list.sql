-- The dispute list filtered by one of its filters, a page at a time in its order, from an
-- index: each index ends with the order's columns (created_at, id), so that a page is read in
-- order and stops when it is full, and a reason is indexed with the day its disputes were
-- opened, since the two are asked for together. Claims are ordered within their currency.

DROP INDEX disputes_by_status;
DROP INDEX disputes_by_customer;
CREATE INDEX disputes_by_status ON disputes (status, created_at, id);
CREATE INDEX disputes_by_customer ON disputes (customer_id, created_at, id);
CREATE INDEX disputes_by_reason ON disputes (reason, opened_on, created_at, id);
CREATE INDEX disputes_by_assignee ON disputes (assignee, created_at, id);
CREATE INDEX disputes_by_opened ON disputes (opened_on, created_at, id);
CREATE INDEX disputes_by_claim ON disputes (currency, claimed_minor, id);
