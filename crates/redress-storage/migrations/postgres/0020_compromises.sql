-- A compromise settles an arrears case with part of it waived and the rest billed: how much is
-- waived (net, an exact decimal in the case's currency, as the other amounts are kept) and how
-- the rest is billed (`next_invoice` or `separate_invoice`). Both are written when the customer
-- chooses it, kept when an approver approves (the rest is then billed), and cleared when one
-- refuses; both are NULL for every other choice.
ALTER TABLE arrears_cases ADD COLUMN waived_amount TEXT;
ALTER TABLE arrears_cases ADD COLUMN compromise_billing TEXT;
