# The words on Redress's documents (credit notes, invoices, letters), US English.
# The fallback for every other language: every label is here.

credit-note-title = Credit note
invoice-title = Invoice
invoice-corrected = Corrected invoice
invoice-arrears = Invoice for arrears
tax-id = Tax ID: { $id }
customer = Customer
customer-id = Customer ID: { $id }
issued-on = Issued on
due-on = Due on
date = Date
invoice-credited = Invoice credited
replaces-invoice = Replaces invoice
period = Period
period-range = { $start } to { $end }
dispute = Dispute
invoice-reference = Invoice
line = Line
description = Description
tax-rate = Tax
amount = Amount
net = Net
subtotal = Subtotal
tax = Tax
total = Total
reason = Reason
percent = { $rate }%
page-of = Page { $page } of { $pages }
