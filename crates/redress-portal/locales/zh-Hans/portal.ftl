# 客户门户的文字（简体中文）：与英文文件的键一一对应。

## 每个页面

skip-link = 跳到主要内容
nav-label = 您的账户
nav-disputes = 您的争议
nav-new-dispute = 提出争议
nav-write = 写信给我们
breadcrumb = 导航路径
footer = 有疑问？请回复我们的任何一封邮件，或写信至 { $email }。
title-error = 错误：{ $title }
error-summary-title = 出现问题
error-word = 错误：
back-home = 返回您的争议
moment = { $day } { $time }
size-kb = { $size } KB
size-mb = { $size } MB

## 说明无法继续显示原因的页面

refused-title = 此链接无法打开您的账户
refused-unknown = 此链接不是我们发送的。它可能被截断或输错了。
refused-expired = 此链接已于 { $day } 过期。为保护您的账户安全，我们的链接只在有限时间内有效。
refused-revoked = 此链接已于 { $day } 被撤回。
refused-what-to-do = 请向我们索取新链接：回复我们的任何一封邮件，或写信至 { $email }。
not-found-title = 找不到页面
not-found-text = 此地址下没有您的内容。地址可能输错了。
form-refused-title = 此表单被拒绝
form-refused-text = 此表单并非来自我们向您显示的这个页面，因此没有做任何更改。请返回，重新加载页面后再试。
bad-form-title = 无法读取此表单
bad-form-text = 没有做任何更改。请返回，重新加载页面后再试。
too-large-title = 此表单过大
not-now-title = 此操作已无法完成
not-now-text = 自您打开页面以来，页面已有变化，因此没有做任何更改。请返回并重新加载页面查看最新情况。
unavailable-title = 我们暂时无法答复
unavailable-text = 没有做任何更改。请几分钟后再试。

## 提交表单之后

done-replied = 您的回复已发送，显示在下方的对话中。
done-attached = 您的文件已发送，显示在下方的文件列表中。
done-rated = 感谢您告诉我们处理得如何。
done-opened = 您的争议已提出。我们会进行核查并写信给您。
done-chosen = 谢谢。您的选择已执行：以下是我们开具的账单。

## 争议的状态，以及接下来的步骤

status-open = 已收到
status-acknowledged = 已确认
status-investigating = 正在调查
status-awaiting-customer = 等待您的答复
status-resolved = 已解决
status-closed = 已关闭
status-withdrawn = 已撤回
next-heading = 接下来会怎样
next-open = 我们已收到您的争议。我们会将您的发票与合同、交货记录和付款记录进行核对，并把结果写信告诉您。
next-acknowledged = 我们正在将您的发票与合同、交货记录和付款记录进行核对，并会把结果写信告诉您。
next-investigating = 我们正在调查您的争议。有结果时会写信给您；在此期间，您可以在下方补充任何内容。
next-awaiting-customer = 我们向您索取了一些信息。请在下方答复或发送文件：收到您的回复后我们会立即继续处理。
next-resolved = 我们已按下文所述予以更正。请告诉我们处理得如何。
next-closed = 此争议已关闭。如果仍有问题，请在下方回复，我们会再次核查。
next-withdrawn = 此争议已撤回。如果仍有问题，请在下方回复或提出新的争议。
next-offer = 我们已为纠正此问题向您提出方案。请在下方“我们的方案”中选择您希望的处理方式，或告诉我们为何都不合适。

## 原因

reason-overcharged = 收费高于约定
reason-duplicate = 重复收费
reason-not-received = 对未收到的东西收费
reason-wrong-price = 价格错误
reason-late-fee = 滞纳金不合理
reason-other = 其他原因

## 首页

home-title = 您的争议
home-greeting = { $name }，您好。以下是您向我们提出的争议及其进展。
home-empty = 您目前没有任何争议。
home-open-new = 就发票提出争议
disputes-heading = 争议
disputes-caption = 您的争议（最新的在前）
col-reference = 编号
col-invoice = 发票
col-disputed = 争议金额
col-status = 状态
col-last-change = 最近更新
corrections-title = 等待您选择的更正
corrections-intro = 我们向您收取的费用低于合同约定。请选择您希望的结算方式。
corrections-earlier = 以往的更正
correction-link = 更正金额 { $amount }
case-offered = 等待您的选择
case-awaiting-approval = 我们正在考虑您的请求
case-settled = 已结算
term-reference = 编号
term-told-on = 发现日期

## 争议

dispute-title = 您的争议 { $id }
dispute-lead-line = 您于 { $day } 就发票 { $invoice } 第 { $line } 行提出争议，金额为 { $amount }。
dispute-lead-whole = 您于 { $day } 就发票 { $invoice } 提出争议，金额为 { $amount }。
term-status = 状态
term-reason = 原因
term-invoice = 发票
invoice-heading = 您的发票（逐行）
invoice-intro = 我们将每一行与您的合同、交货记录和付款记录进行了核对。以下是每一行的核查结果。
invoice-caption = 发票 { $invoice }，开具日期 { $issued }
invoice-missing = 我们无法在此显示这张发票。请写信给我们，我们会把它发给您。
invoice-subtotal = 小计
invoice-tax = 税额
invoice-total = 合计
invoice-whole-heading = 整张发票
col-line = 行
line-label = 第 { $line } 行
col-amount = 金额
line-disputed = 您对此行提出了争议
line-no-error = 已核查：未发现错误
line-quantity-price = { $quantity } × { $price }
line-late-fee = 发票 { $invoice } 的滞纳金
price-less-discount = { $price }，减 { $percent }%
verdict-upheld = 我们的记录支持您的主张。
verdict-partly-upheld = 我们的记录支持您的部分主张。
verdict-rejected = 我们的记录显示，这张发票上没有需要为您更正的错误。
finding-amounts = 开票金额 { $billed }；根据您的合同和我们的记录，应为 { $expected }。
finding-in-your-favour = 应退还您：{ $amount }。
evidence-price = 您的合同 { $contract } 规定 { $sku } 的单价为 { $price }。
evidence-quantities = 开票 { $billed } 件，交货 { $delivered } 件。
evidence-line = 已与发票 { $invoice } 第 { $line } 行比对。
evidence-deliveries = 我们核查了 { $n } 条交货记录。
evidence-payments = 我们核查了 { $n } 笔付款。
evidence-notices = 我们核查了 { $n } 份我们发出的通知。
evidence-late-fee-for = 该滞纳金是针对发票 { $invoice } 收取的。
finding-outside-contract = 对合同期以外的期间收费
finding-unknown-charge = 对合同中没有定价的项目收费
finding-duplicate-charge = 同一费用被收取两次
finding-price-mismatch = 单价与合同不符
finding-discount-missing = 未给予合同约定的折扣
finding-line-arithmetic = 该行金额计算有误
finding-quantity-overbilled = 开票数量多于交货数量
finding-unbilled-delivery = 已交货但未开票
finding-tax-mismatch = 税率与合同不符
finding-total-mismatch = 小计或合计计算有误
finding-overpayment = 付款超过发票总额
finding-late-fee-unwarranted = 无依据的滞纳金
finding-late-fee-excess = 滞纳金高于合同约定的费率
decided-heading = 我们的决定
decided-none = 目前尚未作出决定。作出决定后我们会写信给您。
decided-on = 办理日期：
resolution-credit-note = 贷项通知单
resolution-refund = 退款
resolution-account-credit = 账户余额抵扣
resolution-goodwill = 善意折扣
resolution-payment-plan = 分期付款计划
resolution-write-off = 免除的金额
resolution-reject = 我们未支持您的主张
resolution-corrected-invoice = 更正后的发票
download-credit-note = 下载贷项通知单 { $id }（PDF）
download-invoice = 下载发票 { $id }（PDF）
conversation-heading = 对话
conversation-empty = 暂无消息。
message-from-you = 您写道
message-from-us = { $business } 写道
reply-label = 您的回复
reply-hint = 我们会阅读每一条回复。请勿填写银行卡号或密码。
reply-button = 发送回复
reply-empty = 请先填写回复再发送
reply-too-long = 回复最多 { $max } 个字符
files-heading = 文件
files-none = 暂无文件。
file-item = { $name }（{ $size }），由{ $who }于 { $day } 发送
file-by-you = 您
file-by-us = 我们
attach-label = 要发送给我们的文件
attach-hint = PDF、PNG、JPEG、纯文本、CSV、邮件或 JSON，最大 { $size } MB。
attach-button = 发送文件
attach-none = 请选择要发送的文件
attach-empty = 您选择的文件是空的
attach-too-large = 文件大于 { $size } MB
attach-wrong-type = 我们无法接收这种文件：请发送 PDF、PNG、JPEG、纯文本、CSV、邮件或 JSON 文件
attach-not-what-it-says = 该文件的内容与其类型不符（可能被改过文件名）：请发送原始的 PDF、图片或文本文件
attach-bad-name = 文件名须为不含文件夹路径的文件名，最多 255 个字符
rating-heading = 我们做得如何？
rating-legend = 您对我们处理此争议的方式有多满意？
rating-comment-label = 您想告诉我们的话（可选）
rating-choose = 请选择您的满意程度（1 到 5）
rating-1 = 1：非常不满意
rating-2 = 2：不满意
rating-3 = 3：一般
rating-4 = 4：满意
rating-5 = 5：非常满意
rating-given = 您对我们处理此争议的评分为 { $score } 分（满分 5 分）。谢谢。
rating-your-comment = 您告诉我们：

## 新的争议

new-title = 提出争议
new-intro = 请告诉我们哪张发票有误以及原因。我们会将其与您的合同和我们的记录进行核对，并写信给您。
new-no-invoices = 我们没有您的发票记录，因此这里没有可以提出争议的内容。请写信至 { $email }。
new-invoice-label = 发票
new-invoice-choose = 选择一张发票
new-invoice-option = { $invoice }，开具日期 { $day }
new-line-label = 行号（可选）
new-line-hint = 如对整张发票有争议，请留空
new-reason-legend = 您为什么提出争议？
new-amount-label = 争议金额
new-amount-hint = 税前金额，以发票币种计
new-words-label = 请用您自己的话描述
new-words-hint = 哪里有误，以及您希望我们怎么做
new-button = 提出争议
err-invoice = 请选择您有争议的发票
err-line = 请以整数填写行号（例如 2），或留空
err-line-unknown = 发票 { $invoice } 没有第 { $line } 行
err-reason = 请选择您提出争议的原因
err-amount = 请填写争议金额，例如 { $example }
err-amount-decimals = 请以 { $currency } 填写金额，最多 { $decimals } 位小数
err-words = 请用您自己的话告诉我们哪里有误
err-words-long = 最多填写 { $max } 个字符

## 少收费用的更正

correction-title = 您账单的更正
correction-apology = 非常抱歉：我们向您收取的费用低于合同约定。这个错误是我们自己发现的，我们希望以最适合您的方式予以更正。
correction-found = 我们于 { $day } 发现此问题。
items-heading = 我们少收的费用
items-caption = 少收的金额
col-what = 项目
col-period = 期间
col-under-billed = 少收金额（税前）
item-invoice = 发票 { $invoice }
item-unbilled = 未开票的交货
period = { $from } 至 { $to }
correction-net = 税前
correction-tax = 税额
correction-total = 合计
choose-heading = 您的选择
options-legend = 您希望如何结算？
option-next-invoice = 加到我的下一张发票中
option-next-invoice-hint = 现在无需付款：将随您的下一张发票一起收取。
option-separate = 为此单独开具一张发票
option-separate-hint = 现在开具一张发票，金额为 { $total }。
option-plan = 按月分期付款
option-plan-hint = 请在下方填写分期数；第一期于 { $day } 到期，之后每月一期。
instalments-label = 按月分期数
instalments-hint = 如选择分期付款，请填写 2 到 12
choose-button = 确认我的选择
err-option = 请选择您希望的结算方式
err-instalments = 请填写 2 到 12 之间的分期数
billed-heading = 我们开具的账单
chosen-waiting = 我们正在考虑您的请求，并会写信给您。
chosen-next-invoice = 将加到您的下一张发票中。
chosen-separate = 我们已为此单独开具了一张发票。
chosen-plan = 已分为以下按月分期：
chosen-compromise = 我们同意收取其中一部分。
chosen-waived = 我们将不收取这笔费用。
plan-caption = 您的分期
col-due = 到期日
offer-heading = 我们的方案
offer-intro-one = 这是我们为纠正问题提出的方案。您接受后，我们会立即执行。
offer-intro-many = 以下是我们为纠正问题提出的几种方案，请选择最适合您的一种。您接受的方案会立即执行。
offer-accept = 接受此方案
offer-instalment = { $amount }，到期日 { $day }
offer-does-credit-note = 我们开具一张贷项通知单，将您的发票金额（税前）减少此数额。
offer-does-refund = 我们将此金额退还给您。
offer-does-account-credit = 我们将此金额存入您的账户，用于今后的发票。
offer-does-goodwill = 作为善意表示，我们从您的发票中减去此金额。
offer-does-payment-plan = 您按以下每月分期支付发票的未付金额。
offer-does-write-off = 我们免除您在该发票上所欠的这部分金额。
offer-does-reject = 我们维持原有收费，理由如下。
offer-does-corrected-invoice = 我们重新开具更正后的发票，原发票作废。
offer-decline-heading = 这些方案都不合适？
offer-decline-label = 请告诉我们原因（可选）
offer-decline-button = 拒绝此方案
offer-declined = 您于 { $day } 拒绝了我们的方案。我们会重新审查您的争议并给您回复。
offer-gone = 此方案已无法接受或拒绝：它已被答复，或您的争议已有进展。下面的页面显示当前状态。
offer-failed = 我们暂时无法执行此方案。没有任何更改：请稍后再试，或在下方回复，我们会处理。
done-accepted = 谢谢。我们已执行您接受的方案，详情及相关文件见下方。
done-declined = 我们已收到您的答复。我们会重新审查您的争议并给您回复。
