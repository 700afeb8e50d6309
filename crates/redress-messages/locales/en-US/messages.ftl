# Messages to customers, US English. The fallback for every other language.

money = { $currency } { $amount }
greeting = Dear { $name },
closing =
    Kind regards,
    Accounts Receivable

## Acknowledgement

acknowledgement-subject = We have received your dispute about invoice { $invoice } (reference { $dispute })
acknowledgement-thanks = Thank you for letting us know about invoice { $invoice }. We received your dispute on { $received }: { $reason ->
        [overcharged] you were charged more than you agreed to pay.
        [duplicate] you were charged twice for the same thing.
        [not-received] you were charged for something you did not receive.
        [wrong-price] you were charged the wrong price.
        [late-fee] you consider the late fee unfair.
       *[other] you do not agree with a charge.
    } Your reference is { $dispute }; please quote it whenever you write to us about it.
acknowledgement-next = What happens next: we will check the invoice against your contract, the deliveries and the payments we have on record, and we will write to you with our findings by { $respond_by }.
acknowledgement-documents = If you have documents that support your dispute, such as a purchase order, a delivery note or proof of payment, you can send them by replying to this message.

## Request for information

information-request-subject = We need some information to resolve your dispute { $dispute }
information-request-intro = To continue looking into your dispute about invoice { $invoice }, we need { $count ->
        [one] the following from you:
       *[other] the following { $count } things from you:
    }
information-needed = - { $item ->
        [proof-of-payment] proof of payment, such as a bank statement or remittance advice;
        [disputed-lines] which lines of the invoice you dispute, and why;
        [purchase-order] your purchase order for the goods or services invoiced;
        [delivery-details] what you received and when, such as a delivery note;
       *[bank-details] the bank account you would like a refund paid to.
    }
information-request-deadline = Please reply to this message with { $count ->
        [one] it
       *[other] them
    } by { $respond_by }, quoting { $dispute }. If we have not heard from you by then, we will decide on the information we already have.

## Explanation of the charges

explanation-subject = The charges on invoice { $invoice }, line by line
explanation-intro = As promised, here is how each charge on invoice { $invoice } of { $invoice_date } was made up. The invoice comes to { $total } over { $count ->
        [one] one line.
       *[other] { $count } lines.
    }
explanation-line = { $number }. { $description }: { $amount }
explanation-contract = Contract { $contract } of { $signed_on }: { $quantity } at { $unit_price } each.
explanation-delivery = Delivered on { $delivered_on }: { $quantity } (delivery { $reference }).
explanation-payment = Paid on { $paid_on }: { $amount } (payment { $reference }).
explanation-no-facts = We have no contract, delivery, payment or notice on record for this line.
notice-sent = { $kind ->
        [invoice] The invoice
        [reminder] A reminder
       *[overdue-notice] An overdue notice
    } was sent to you on { $sent_on }.
notice-sent-for = { $kind ->
        [invoice] The invoice
        [reminder] A reminder
       *[overdue-notice] An overdue notice
    } for { $amount } was sent to you on { $sent_on }.
explanation-closing = If anything here does not match your records, please reply quoting { $dispute } and tell us which line; we will look at it again.

## Resolution offer

offer-subject = Our proposal to resolve your dispute { $dispute }
offer-intro = We have reviewed your dispute about invoice { $invoice } and agree that it needs to be put right. { $count ->
        [one] We propose:
       *[other] You can choose one of these { $count } options:
    }
offer-credit-note = - a credit note of { $amount } against invoice { $invoice }, which reduces what you owe on it;
offer-refund = - a refund of { $amount } to the account you paid from;
offer-account-credit = - a credit of { $amount } on your account, used against your next invoices;
offer-payment-plan = - paying the { $total } due in { $count ->
        [one] one instalment:
       *[other] { $count } instalments:
    }
instalment = { $number }. { $amount } due on { $due_on }
offer-reply = { $count ->
        [one] Please let us know by { $reply_by } whether this suits you: accept it online with the link below, or reply to this message, and we will put it in place straight away.
       *[other] Please let us know by { $reply_by } which option you prefer: accept it online with the link below, or reply to this message, and we will put it in place straight away.
    }

## Rejection

rejection-subject = The outcome of your dispute { $dispute }
rejection-intro = We have carefully reviewed your dispute about invoice { $invoice }. We found the charges to be correct, so we are unable to change the invoice. { $count ->
        [one] This is what we checked:
       *[other] These are the { $count } things we checked:
    }
rejection-price-as-contracted = - The price charged is the one agreed in contract { $contract } of { $signed_on }: { $unit_price } per unit.
rejection-delivered = - Delivery { $reference } of { $quantity } was made on { $delivered_on }.
rejection-notice = - { $notice }
rejection-not-a-duplicate = - Invoice { $other } is for a different delivery, so each charge was made once.
rejection-next = If you have documents that show otherwise, please send them by { $reply_by } and we will review them. Otherwise, { $amount } remains due.

## The whole answer in one message

reply-thanks = Thank you for raising your concerns about invoice { $invoice }. We have checked it line by line against your contract, the deliveries and the payments we have on record.
reply-apology = We are sorry: the records show we made a mistake on this invoice, and we will put it right.

## Status update

status-update-subject = An update on your dispute { $dispute }
status-update-where = Your dispute about invoice { $invoice } has been open for { $days ->
        [one] one day
       *[other] { $days } days
    }, and we have not forgotten it. { $stage ->
        [checking] We are still checking the invoice against your contract and our records.
        [awaiting-approval] We have a proposal ready, and it is waiting for approval.
       *[awaiting-your-reply] We are waiting for your reply to our last message.
    } We are sorry it is taking longer than we would like.
status-update-next = We will write to you again by { $next_update_by } at the latest.

## Confirmation

confirmation-subject = Your dispute { $dispute } has been resolved
confirmation-intro = We have done what we agreed for your dispute about invoice { $invoice }. { $count ->
        [one] Here is the document for your records:
       *[other] Here are the { $count } documents for your records:
    }
confirmation-credit-note = - Credit note { $number } of { $issued_on }, for { $amount }, against invoice { $invoice }.
confirmation-refund = - A refund of { $amount }, paid on { $paid_on } (reference { $reference }).
confirmation-account-credit = - A credit of { $amount }, added to your account on { $credited_on }.
confirmation-corrected-invoice = - Invoice { $number } of { $issued_on }, for { $amount }, which replaces invoice { $invoice }.
confirmation-payment-plan = - Payment plan { $number }, for { $total } in { $count ->
        [one] one instalment:
       *[other] { $count } instalments:
    }
confirmation-closed = Your dispute is now closed. Thank you for your patience while we looked into it.

## Arrears notice

arrears-subject = A correction to your invoices from { $start } to { $end }
arrears-apology = While reviewing our billing, we found that between { $start } and { $end } we invoiced you less than your contract provides: { $amount } in total was not billed. The mistake was ours, and we apologise for it.
arrears-options = { $count ->
        [one] We propose to settle it as follows:
       *[other] We would like to settle it in the way that suits you best. You can choose one of these { $count } options:
    }
arrears-next-invoice = - adding { $amount } to your next invoice;
arrears-separate-invoice = - a separate invoice for { $amount }, due on { $due_on };
arrears-instalments = - paying the { $total } in { $count ->
        [one] one instalment:
       *[other] { $count } instalments:
    }
arrears-reply = Please let us know your choice by { $reply_by }. If you have any questions about the amounts, reply to this message and we will be glad to go through them with you.

## Satisfaction follow-up

satisfaction-subject = How did we handle your dispute { $dispute }?
satisfaction-ask = Your dispute about invoice { $invoice } is now closed, and we would like to know how we did. On a scale from 1 (very dissatisfied) to 5 (very satisfied), how would you rate the way we handled it? It takes less than a minute: { $link }
satisfaction-thanks = Thank you: your answer helps us do better.

## The customer's own link to the portal, at the end of every message

portal-footer = You can follow your dispute, answer us and send documents online: { $link }
