# The customer portal's words, in US English: the language every other file must match id for
# id (a test checks). Money and days come formatted in the customer's language.

## Every page

skip-link = Skip to main content
nav-label = Your account
nav-disputes = Your disputes
nav-new-dispute = Open a dispute
nav-write = Write to us
breadcrumb = Breadcrumb
footer = Questions? Reply to any of our emails or write to { $email }.
title-error = Error: { $title }
error-summary-title = There is a problem
error-word = Error:
back-home = Go to your disputes
moment = { $day }, { $time }
size-kb = { $size } KB
size-mb = { $size } MB

## Pages that say why nothing more can be shown

refused-title = This link does not open your account
refused-unknown = This link is not one we sent. It may have been cut short or mistyped.
refused-expired = This link expired on { $day }. Our links work for a limited time, to keep your account safe.
refused-revoked = This link was withdrawn on { $day }.
refused-what-to-do = Ask us for a new link: reply to any of our emails or write to { $email }.
not-found-title = Page not found
not-found-text = There is nothing of yours at this address. It may have been mistyped.
form-refused-title = This form was refused
form-refused-text = The form did not come from this page as we showed it to you, so nothing was changed. Go back, reload the page and try again.
bad-form-title = This form could not be read
bad-form-text = Nothing was changed. Go back, reload the page and try again.
too-large-title = This form is too large
not-now-title = This can no longer be done
not-now-text = The page changed since you opened it, so nothing was changed. Go back and reload the page to see where things stand.
unavailable-title = We cannot answer right now
unavailable-text = Nothing was changed. Please try again in a few minutes.

## After a form

done-replied = Your reply was sent. It is in the conversation below.
done-attached = Your document was sent. It is in the list of documents below.
done-rated = Thank you for telling us how we did.
done-opened = Your dispute was opened. We will check it and write to you.
done-chosen = Thank you. Your choice was carried out: here is what we billed.

## Statuses of a dispute, and what happens next

status-open = Received
status-acknowledged = Acknowledged
status-investigating = Being looked into
status-awaiting-customer = Waiting for your answer
status-resolved = Resolved
status-closed = Closed
status-withdrawn = Withdrawn
next-heading = What happens next
next-open = We have your dispute. We will check your invoice against your contract, your deliveries and your payments, and write to you with what we find.
next-acknowledged = We are checking your invoice against your contract, your deliveries and your payments. We will write to you with what we find.
next-investigating = We are looking into your dispute. We will write to you when we have an answer; you can add anything below in the meantime.
next-awaiting-customer = We asked you for something. Please answer below, or send us a document: we carry on as soon as we hear from you.
next-resolved = We have put this right as described below. Please tell us how we did.
next-closed = This dispute is closed. If something is still wrong, reply below and we will look at it again.
next-withdrawn = This dispute was withdrawn. If something is still wrong, reply below or open a new dispute.
next-offer = We have made you an offer to put this right. Choose how you would like it settled under "Our offer" below, or tell us why none suits you.

## Reasons

reason-overcharged = Charged more than agreed
reason-duplicate = Charged twice
reason-not-received = Charged for something not received
reason-wrong-price = Wrong price
reason-late-fee = Unfair late fee
reason-other = Something else

## Home

home-title = Your disputes
home-greeting = Hello, { $name }. Here are the disputes you raised with us and where each stands.
home-empty = You have no disputes with us.
home-open-new = Open a dispute about an invoice
disputes-heading = Disputes
disputes-caption = Your disputes, newest first
col-reference = Reference
col-invoice = Invoice
col-disputed = Amount disputed
col-status = Status
col-last-change = Last change
corrections-title = Corrections waiting for your choice
corrections-intro = We billed you less than your contract says. Please choose how you would like to settle it.
corrections-earlier = Earlier corrections
correction-link = Correction of { $amount }
case-offered = Waiting for your choice
case-awaiting-approval = We are considering your request
case-settled = Settled
term-reference = Reference
term-told-on = Found on

## A dispute

dispute-title = Your dispute { $id }
dispute-lead-line = You disputed { $amount } of invoice { $invoice }, line { $line }, on { $day }.
dispute-lead-whole = You disputed { $amount } of invoice { $invoice } on { $day }.
term-status = Status
term-reason = Reason
term-invoice = Invoice
invoice-heading = Your invoice, line by line
invoice-intro = We checked each line against your contract, your deliveries and your payments. Here is what we found on each.
invoice-caption = Invoice { $invoice }, issued { $issued }
invoice-missing = We cannot show this invoice here. Write to us and we will send it to you.
invoice-subtotal = Subtotal
invoice-tax = Tax
invoice-total = Total
invoice-whole-heading = On the invoice as a whole
col-line = Line
line-label = Line { $line }
col-amount = Amount
line-disputed = You disputed this line
line-no-error = Checked: no error found
line-quantity-price = { $quantity } × { $price }
line-late-fee = Late fee on invoice { $invoice }
price-less-discount = { $price }, less { $percent }%
verdict-upheld = Our records support your claim.
verdict-partly-upheld = Our records support part of your claim.
verdict-rejected = Our records show no error in your favour on this invoice.
finding-amounts = Billed { $billed }; by your contract and our records it should be { $expected }.
finding-in-your-favour = In your favour: { $amount }.
evidence-price = Your contract { $contract } prices { $sku } at { $price } a unit.
evidence-quantities = { $billed } units billed, { $delivered } delivered.
evidence-line = Compared with invoice { $invoice }, line { $line }.
evidence-deliveries = { $n ->
    [one] We checked 1 delivery record.
   *[other] We checked { $n } delivery records.
}
evidence-payments = { $n ->
    [one] We checked 1 payment.
   *[other] We checked { $n } payments.
}
evidence-notices = { $n ->
    [one] We checked 1 notice we sent.
   *[other] We checked { $n } notices we sent.
}
evidence-late-fee-for = The late fee is charged for invoice { $invoice }.
finding-outside-contract = Charged for a period outside your contract
finding-unknown-charge = Charged for something your contract has no price for
finding-duplicate-charge = The same charge billed twice
finding-price-mismatch = A unit price other than your contract's
finding-discount-missing = Your contract's discount not given
finding-line-arithmetic = The line's amount does not add up
finding-quantity-overbilled = More units billed than delivered
finding-unbilled-delivery = Units delivered and not billed
finding-tax-mismatch = Tax other than your contract's rate
finding-total-mismatch = The subtotal or total does not add up
finding-overpayment = Paid more than the invoice's total
finding-late-fee-unwarranted = A late fee with no ground
finding-late-fee-excess = A late fee above your contract's rate
decided-heading = What we decided
decided-none = Nothing has been decided yet. We will write to you when it is.
decided-on = Done on
resolution-credit-note = Credit note
resolution-refund = Refund
resolution-account-credit = Credit on your account
resolution-goodwill = Goodwill discount
resolution-payment-plan = Payment plan
resolution-write-off = Amount written off
resolution-reject = We did not uphold your claim
resolution-corrected-invoice = Corrected invoice
download-credit-note = Download credit note { $id } (PDF)
download-invoice = Download invoice { $id } (PDF)
conversation-heading = Conversation
conversation-empty = No messages yet.
message-from-you = You wrote
message-from-us = { $business } wrote
reply-label = Your reply
reply-hint = We read every reply. Please do not include card numbers or passwords.
reply-button = Send reply
reply-empty = Write your reply before sending it
reply-too-long = A reply can be at most { $max } characters
files-heading = Documents
files-none = No documents yet.
file-item = { $name } ({ $size }), sent by { $who } on { $day }
file-by-you = you
file-by-us = us
attach-label = A document to send us
attach-hint = PDF, PNG, JPEG, plain text, CSV, email or JSON, up to { $size } MB.
attach-button = Send the document
attach-none = Choose a document to send
attach-empty = The document you chose is empty
attach-too-large = The document is larger than { $size } MB
attach-wrong-type = We cannot take this kind of file: send a PDF, PNG, JPEG, plain text, CSV, email or JSON file
attach-not-what-it-says = The document is not what its type says (a file renamed, perhaps): send the PDF, picture or text itself
attach-bad-name = The document's name must be a file's name of at most 255 characters, without folders
rating-heading = How did we do?
rating-legend = How satisfied are you with how we handled this dispute?
rating-comment-label = Anything you would like to tell us (optional)
rating-choose = Choose how satisfied you are, from 1 to 5
rating-1 = 1: Very dissatisfied
rating-2 = 2: Dissatisfied
rating-3 = 3: Neither satisfied nor dissatisfied
rating-4 = 4: Satisfied
rating-5 = 5: Very satisfied
rating-given = You rated how we handled this dispute { $score } out of 5. Thank you.
rating-your-comment = You told us:

## A new dispute

new-title = Open a dispute
new-intro = Tell us which invoice is wrong and why. We check it against your contract and our records, and write to you.
new-no-invoices = We have no invoices of yours on file, so there is nothing to dispute here. Write to us at { $email }.
new-invoice-label = The invoice
new-invoice-choose = Choose an invoice
new-invoice-option = { $invoice }, issued { $day }
new-line-label = Line number (optional)
new-line-hint = Leave it empty if you dispute the whole invoice
new-reason-legend = Why do you dispute it?
new-amount-label = The amount you dispute
new-amount-hint = Before tax, in the invoice's currency
new-words-label = In your own words
new-words-hint = What is wrong, and what you would like us to do
new-button = Open the dispute
err-invoice = Choose the invoice you dispute
err-line = Enter the line number as a whole number, such as 2, or leave it empty
err-line-unknown = Invoice { $invoice } has no line { $line }
err-reason = Choose why you dispute the invoice
err-amount = Enter the amount you dispute, such as { $example }
err-amount-decimals = Enter the amount in { $currency } with at most { $decimals } decimals
err-words = Tell us in your own words what is wrong
err-words-long = Write at most { $max } characters

## A correction of under-billing

correction-title = A correction to your bills
correction-apology = We are sorry: we billed you less than your contract says. We found the mistake ourselves, and we would like to put it right in the way that suits you best.
correction-found = We found it on { $day }.
items-heading = What we under-billed
items-caption = Amounts we billed too little
col-what = What
col-period = Period
col-under-billed = Billed too little, before tax
item-invoice = Invoice { $invoice }
item-unbilled = Deliveries we did not bill
period = { $from } to { $to }
correction-net = Before tax
correction-tax = Tax
correction-total = Total
choose-heading = Your choice
options-legend = How would you like to settle it?
option-next-invoice = Add it to my next invoice
option-next-invoice-hint = Nothing to pay now: it is billed with your next invoice.
option-separate = Send me a separate invoice for it
option-separate-hint = One invoice now, for { $total }.
option-plan = Let me pay it in monthly instalments
option-plan-hint = Enter the number of instalments below; the first is due on { $day }, then one each month.
instalments-label = Number of monthly instalments
instalments-hint = From 2 to 12, if you choose instalments
choose-button = Confirm my choice
err-option = Choose how you would like to settle it
err-instalments = Enter a number of instalments from 2 to 12
billed-heading = What we billed
chosen-waiting = We are considering your request and will write to you.
chosen-next-invoice = It will be added to your next invoice.
chosen-separate = We issued a separate invoice for it.
chosen-plan = It is spread over monthly instalments:
chosen-compromise = We agreed to bill part of it.
chosen-waived = We will not bill it.
plan-caption = Your instalments
col-due = Due on
offer-heading = Our offer
offer-intro-one = This is what we propose to put it right. If you accept it, we carry it out at once.
offer-intro-many = These are the ways we propose to put it right: choose the one that suits you best. We carry out the one you accept at once.
offer-accept = Accept this
offer-instalment = { $amount } due on { $day }
offer-does-credit-note = We issue a credit note that lowers your invoice by this amount, before tax.
offer-does-refund = We pay this amount back to you.
offer-does-account-credit = We credit this amount to your account, for your next invoices.
offer-does-goodwill = We take this amount off your invoice, as a goodwill gesture.
offer-does-payment-plan = You pay what is open on your invoice in these monthly instalments.
offer-does-write-off = We give up this amount of what you owe on the invoice.
offer-does-reject = We keep the charges as they are, for the reason below.
offer-does-corrected-invoice = We issue your invoice again with the lines corrected; the old one is cancelled.
offer-decline-heading = None of these suit you?
offer-decline-label = Tell us why (optional)
offer-decline-button = Decline the offer
offer-declined = You declined our offer on { $day }. We will look at your dispute again and write to you.
offer-gone = This offer can no longer be accepted or declined: it was answered already, or your dispute has moved on. The page below shows where it stands.
offer-failed = We could not carry this out just now. Nothing was changed: please try again later, or reply below and we will put it right.
done-accepted = Thank you. We have carried out what you accepted: it is below, with its document.
done-declined = We have your answer. We will look at your dispute again and write to you.
