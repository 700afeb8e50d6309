# 致客户的消息，简体中文。中文没有复数形式，数量直接写出。

money = { $currency } { $amount }
greeting = 尊敬的{ $name }：
closing =
    此致
    应收账款部

## 确认收到

acknowledgement-subject = 我们已收到您关于发票 { $invoice } 的争议（编号 { $dispute }）
acknowledgement-thanks = 感谢您就发票 { $invoice } 与我们联系。我们于{ $received }收到您的争议：{ $reason ->
        [overcharged] 收费高于约定金额。
        [duplicate] 同一项目被重复收费。
        [not-received] 对未收到的项目收费。
        [wrong-price] 价格有误。
        [late-fee] 您认为滞纳金不合理。
       *[other] 您对某项收费有异议。
    }您的编号是 { $dispute }，今后就此事来信时请注明。
acknowledgement-next = 后续步骤：我们将根据您的合同以及我们记录的交付和付款情况核对该发票，并于{ $respond_by }前将核查结果告知您。
acknowledgement-documents = 如您有支持此争议的文件，例如采购订单、送货单或付款凭证，可直接回复本邮件发送给我们。

## 补充资料

information-request-subject = 为处理您的争议 { $dispute }，我们需要一些资料
information-request-intro = 为继续处理您关于发票 { $invoice } 的争议，我们需要您提供以下 { $count } 项资料：
information-needed = - { $item ->
        [proof-of-payment] 付款凭证，例如银行对账单或汇款通知；
        [disputed-lines] 您有异议的发票行及原因；
        [purchase-order] 所开票商品或服务的采购订单；
        [delivery-details] 您收到的物品及收货日期，例如送货单；
       *[bank-details] 用于接收退款的银行账户。
    }
information-request-deadline = 请于{ $respond_by }前回复本邮件提供上述资料，并注明编号 { $dispute }。如届时仍未收到您的回复，我们将根据现有资料作出决定。

## 费用说明

explanation-subject = 发票 { $invoice } 的逐行费用说明
explanation-intro = 如前所述，现将{ $invoice_date }开具的发票 { $invoice } 各项费用的构成说明如下。该发票共 { $count } 行，合计 { $total }。
explanation-line = { $number }. { $description }：{ $amount }
explanation-contract = 合同 { $contract }（{ $signed_on }签订）：数量 { $quantity }，单价 { $unit_price }。
explanation-delivery = { $delivered_on }交付：数量 { $quantity }（送货单 { $reference }）。
explanation-payment = { $paid_on }付款：{ $amount }（付款编号 { $reference }）。
explanation-no-facts = 此行没有相关的合同、交付、付款或通知记录。
notice-sent = 我们于{ $sent_on }向您发送了{ $kind ->
        [invoice] 发票
        [reminder] 付款提醒
       *[overdue-notice] 逾期通知
    }。
notice-sent-for = 我们于{ $sent_on }向您发送了金额为 { $amount } 的{ $kind ->
        [invoice] 发票
        [reminder] 付款提醒
       *[overdue-notice] 逾期通知
    }。
explanation-closing = 如有任何内容与您的记录不符，请回复本邮件并注明编号 { $dispute } 及相关行次，我们将重新核查。

## 解决方案

offer-subject = 关于解决您的争议 { $dispute } 的方案
offer-intro = 我们已审核您关于发票 { $invoice } 的争议，同意予以更正。您可以从以下 { $count } 个方案中选择：
offer-credit-note = - 针对发票 { $invoice } 开具金额为 { $amount } 的贷项通知单，抵减该发票的应付金额；
offer-refund = - 向您的付款账户退款 { $amount }；
offer-account-credit = - 在您的账户中计入 { $amount } 的余额，用于抵扣今后的发票；
offer-payment-plan = - 将应付的 { $total } 分 { $count } 期支付：
instalment = { $number }. { $amount }，到期日 { $due_on }
offer-reply = 请于{ $reply_by }前告知您的选择：您可以通过下方链接在线接受，或直接回复本邮件，我们将立即办理。

## 驳回

rejection-subject = 您的争议 { $dispute } 的处理结果
rejection-intro = 我们已仔细审核您关于发票 { $invoice } 的争议。经核查，相关费用无误，因此无法更改该发票。我们核查了以下 { $count } 项：
rejection-price-as-contracted = - 所收价格与{ $signed_on }签订的合同 { $contract } 约定一致：单价 { $unit_price }。
rejection-delivered = - 送货单 { $reference }（数量 { $quantity }）已于{ $delivered_on }交付。
rejection-notice = - { $notice }
rejection-not-a-duplicate = - 发票 { $other } 对应的是另一批交付，每项费用只收取了一次。
rejection-next = 如您有相反的证明文件，请于{ $reply_by }前发送给我们，我们将予以审核。否则，{ $amount } 仍需支付。

## 一封邮件中的完整答复

reply-thanks = 感谢您就发票 { $invoice } 向我们提出疑问。我们已根据您的合同以及我们记录的交付和付款情况逐行核对了该发票。
reply-apology = 非常抱歉：记录显示我们在这张发票上出了错，我们会予以更正。

## 进展通知

status-update-subject = 关于您的争议 { $dispute } 的最新进展
status-update-where = 您关于发票 { $invoice } 的争议已处理 { $days } 天，我们一直在跟进。{ $stage ->
        [checking] 我们仍在根据您的合同和我们的记录核对发票。
        [awaiting-approval] 我们已拟好处理方案，正在等待审批。
       *[awaiting-your-reply] 我们正在等待您对上一封邮件的回复。
    }处理时间比预期长，敬请谅解。
status-update-next = 我们最迟将于{ $next_update_by }再次与您联系。

## 处理确认

confirmation-subject = 您的争议 { $dispute } 已解决
confirmation-intro = 我们已按约定处理您关于发票 { $invoice } 的争议。以下 { $count } 份文件供您存档：
confirmation-credit-note = - 贷项通知单 { $number }（{ $issued_on }开具），金额 { $amount }，针对发票 { $invoice }。
confirmation-refund = - 退款 { $amount }，已于{ $paid_on }支付（编号 { $reference }）。
confirmation-account-credit = - 账户余额 { $amount }，已于{ $credited_on }计入您的账户。
confirmation-corrected-invoice = - 发票 { $number }（{ $issued_on }开具），金额 { $amount }，替代发票 { $invoice }。
confirmation-payment-plan = - 付款计划 { $number }：共 { $total }，分 { $count } 期：
confirmation-closed = 您的争议现已结案。感谢您在我们处理期间的耐心等待。

## 少收费用通知

arrears-subject = 关于您 { $start } 至 { $end } 期间发票的更正
arrears-apology = 我们在核查账单时发现，{ $start }至{ $end }期间我们向您开具的金额低于合同约定，共有 { $amount } 未开票。这是我们的失误，谨此致歉。
arrears-options = 我们希望以最方便您的方式处理。您可以从以下 { $count } 个方案中选择：
arrears-next-invoice = - 将 { $amount } 计入您的下一张发票；
arrears-separate-invoice = - 单独开具一张金额为 { $amount } 的发票，到期日 { $due_on }；
arrears-instalments = - 将 { $total } 分 { $count } 期支付：
arrears-reply = 请于{ $reply_by }前告知您的选择。如对金额有任何疑问，请回复本邮件，我们很乐意为您逐项说明。

## 满意度调查

satisfaction-subject = 我们对您的争议 { $dispute } 的处理是否令您满意？
satisfaction-ask = 您关于发票 { $invoice } 的争议已结案，我们希望了解您的评价。按 1（非常不满意）到 5（非常满意）打分，您如何评价我们的处理？只需不到一分钟：{ $link }
satisfaction-thanks = 感谢您的反馈，这将帮助我们做得更好。

## The customer's own link to the portal, at the end of every message

portal-footer = 您可以在线查看争议进展、回复我们并提交文件：{ $link }
