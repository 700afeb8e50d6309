//! The new part of a reply: what the customer wrote this time, without the history their mail
//! program quoted under it.
//!
//! The rules, in order, line by line:
//! - An Outlook separator (`-----Original Message-----`, `-----Mensaje original-----`,
//!   `------ 原始邮件 ------`) or an Outlook header block (`From:`/`De:`/`发件人：` followed within
//!   a few lines by `Sent:`, `To:`, `Subject:`, `Enviado:`, `Para:`, `Asunto:`, `发送时间：`,
//!   `收件人：`, `主题：` …) starts the history: it and everything after it go, because Outlook
//!   does not mark the quoted lines.
//! - An attribution line (`On … wrote:`, `El … escribió:`, `在 … 写道：`, and French and German
//!   ones), possibly wrapped over two lines, goes. If the history after it is not quoted with
//!   `>`, everything after it goes too; if it is, only the quoted lines go, so that an answer
//!   written under or between the quotes is kept.
//! - Lines starting with `>` go.
//!
//! Blank lines and separators left at either end are trimmed.

/// How many lines after `From:` the other header lines of an Outlook block may be.
const HEADER_BLOCK_LINES: usize = 5;

pub(crate) fn reply_text(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let mut kept: Vec<&str> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i].trim();
        if is_outlook_separator(line) || is_header_block(&lines, i) {
            break;
        }
        if let Some(used) = attribution(&lines, i) {
            let next = lines[i + used..]
                .iter()
                .find(|line| !line.trim().is_empty());
            if !next.is_some_and(|line| is_quoted(line)) {
                break;
            }
            i += used;
            continue;
        }
        if !is_quoted(lines[i]) {
            kept.push(lines[i].trim_end());
        }
        i += 1;
    }
    let is_filler = |line: &&str| {
        line.trim().is_empty() || line.trim().chars().all(|c| matches!(c, '_' | '-' | '—'))
    };
    while kept.last().is_some_and(is_filler) {
        kept.pop();
    }
    let first = kept.iter().position(|line| !line.trim().is_empty());
    kept.drain(..first.unwrap_or(kept.len()));
    kept.join("\n")
}

fn is_quoted(line: &str) -> bool {
    line.trim_start().starts_with('>')
}

fn is_outlook_separator(line: &str) -> bool {
    let lower = line.to_lowercase();
    let dashed = lower.starts_with("-----") || lower.starts_with("——");
    dashed
        && [
            "original message",
            "mensaje original",
            "原始邮件",
            "原始郵件",
            "message d'origine",
        ]
        .iter()
        .any(|words| lower.contains(words))
}

/// The label before a `:` or `：` at the start of a line, lower-cased.
fn label(line: &str) -> Option<String> {
    let line = line.trim_start().trim_start_matches('*');
    let end = line.find([':', '：'])?;
    let label = line[..end].trim().trim_end_matches('*').trim();
    (label.chars().count() <= 20).then(|| label.to_lowercase())
}

fn is_header_block(lines: &[&str], at: usize) -> bool {
    const FROM: [&str; 5] = ["from", "de", "发件人", "寄件者", "von"];
    const OTHERS: [&str; 17] = [
        "sent",
        "date",
        "to",
        "subject",
        "cc",
        "enviado",
        "enviado el",
        "fecha",
        "para",
        "asunto",
        "发送时间",
        "日期",
        "收件人",
        "主题",
        "時間",
        "gesendet",
        "betreff",
    ];
    if !label(lines[at]).is_some_and(|label| FROM.contains(&label.as_str())) {
        return false;
    }
    lines[at + 1..]
        .iter()
        .take(HEADER_BLOCK_LINES)
        .filter_map(|line| label(line))
        .any(|label| OTHERS.contains(&label.as_str()))
}

/// The number of lines (1 or 2) of an attribution line starting at `at`, if one does.
fn attribution(lines: &[&str], at: usize) -> Option<usize> {
    let first = lines[at].trim();
    if is_quoted(first) || !starts_attribution(first) {
        return None;
    }
    // A date or an address tells "On Mon, 3 Nov 2026, Ana <ana@…> wrote:" from a sentence.
    let dated = |text: &str| text.contains(|c: char| c.is_ascii_digit() || c == '@');
    if ends_attribution(first) {
        return dated(first).then_some(1);
    }
    // Gmail wraps a long attribution: "On Mon, 3 Nov 2026 at 10:02, Redress <\nbilling@…> wrote:".
    let second = lines.get(at + 1)?.trim();
    (!is_quoted(second) && ends_attribution(second) && (dated(first) || dated(second))).then_some(2)
}

fn starts_attribution(line: &str) -> bool {
    ["On ", "El ", "在", "Le ", "Am "]
        .iter()
        .any(|start| line.starts_with(start))
}

fn ends_attribution(line: &str) -> bool {
    let line = line.trim_end();
    [
        "wrote:",
        "escribió:",
        "写道：",
        "写道:",
        "寫道：",
        "a écrit :",
        "a écrit:",
    ]
    .iter()
    .any(|end| line.ends_with(end))
        || (line.ends_with(':') && line.contains(" schrieb"))
}

#[cfg(test)]
mod tests {
    use super::reply_text;

    #[test]
    fn a_top_posted_reply_loses_the_attribution_and_the_quotes() {
        let text = "Thanks, that works.\n\nAna\n\nOn Mon, 3 Nov 2026 at 10:02, Redress Billing <\nbilling@example.com> wrote:\n> Dear Ana,\n>\n> We credited INV-7.\n";
        assert_eq!(reply_text(text), "Thanks, that works.\n\nAna");
    }

    #[test]
    fn an_answer_written_between_the_quotes_is_kept() {
        let text =
            "On Mon, 3 Nov, Redress wrote:\n> Which invoice?\nINV-7.\n> Which line?\nLine 2.\n";
        assert_eq!(reply_text(text), "INV-7.\nLine 2.");
    }

    #[test]
    fn an_unquoted_history_after_an_attribution_goes_whole() {
        let text = "Sí, gracias.\n\nEl lun, 3 nov 2026 a las 10:02, Redress (<billing@example.com>) escribió:\n\nEstimada Ana:\nHemos abonado la factura.\n";
        assert_eq!(reply_text(text), "Sí, gracias.");
    }

    #[test]
    fn outlook_history_goes_from_its_header_block() {
        let text = "Please see the attached.\n\n________________________________\nFrom: Redress Billing <billing@example.com>\nSent: Monday, November 3, 2026 10:02 AM\nTo: Ana <ana@example.org>\nSubject: [DSP-7] Your dispute\n\nDear Ana,\n";
        assert_eq!(reply_text(text), "Please see the attached.");
        let text = "OK\n-----Original Message-----\nFrom: x\nold text\n";
        assert_eq!(reply_text(text), "OK");
    }

    #[test]
    fn a_sentence_ending_in_wrote_without_a_date_is_kept() {
        let text = "On the phone your agent wrote:\nthe fee would be waived.";
        assert_eq!(reply_text(text), text);
    }

    #[test]
    fn a_from_line_that_starts_no_header_block_is_kept() {
        let text = "From: my records, line 2 was billed twice.\nRegards";
        assert_eq!(reply_text(text), text);
    }

    #[test]
    fn a_chinese_reply_loses_its_history() {
        let text = "好的，谢谢。\n\n在 2026年11月3日 周一 10:02，Redress Billing <billing@example.com> 写道：\n> 您好，\n";
        assert_eq!(reply_text(text), "好的，谢谢。");
        let text = "收到\n\n------------------ 原始邮件 ------------------\n发件人: \"Redress\" <billing@example.com>\n";
        assert_eq!(reply_text(text), "收到");
    }
}
