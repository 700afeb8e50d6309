//! Each kind of mistake loses the points it should, and a perfect answer scores full marks.

use redress_audit::FindingKind;
use redress_domain::recommendation::Recommended;
use redress_domain::resolution::ResolutionKind;
use redress_domain::{Currency, Decimal, Language};
use redress_practice::score::{
    FINDINGS_POINTS, INVENTED_FINDING_COST, MESSAGE_PART_POINTS, RESOLUTION_AMOUNT_POINTS,
    RESOLUTION_KIND_POINTS,
};
use redress_practice::{
    AnsweredFinding, ExpectedFinding, FindingOutcome, MessagePart, ModelAnswer, Topic, score,
};

fn usd() -> Currency {
    Currency::from_code("USD").unwrap()
}

fn amount(text: &str) -> Decimal {
    redress_domain::parse_decimal(text).unwrap()
}

const MESSAGE: &str = "Dear Harbour Lane Supplies,

Thank you for raising your concerns about invoice INV-P2.

We are sorry: the records show we made a mistake on this invoice.

Line 2 charged 12 toner cartridges at USD 97.90; your contract's price is USD 89.00, so line 2 is USD 106.80 too high. Line 3 charged the same service twice.

We propose a credit note of USD 171.80 against invoice INV-P2. Please let us know by December 20, 2026 whether this suits you, and we will put it in place straight away.

Kind regards,
Accounts Receivable";

/// Two findings (a price on line 2, a duplicate on line 3), a credit note of 171.80, in English.
fn model() -> ModelAnswer {
    ModelAnswer {
        findings: vec![
            ExpectedFinding {
                kind: FindingKind::PriceMismatch,
                line_no: Some(2),
                amount: amount("106.80"),
            },
            ExpectedFinding {
                kind: FindingKind::DuplicateCharge,
                line_no: Some(3),
                amount: amount("65.00"),
            },
        ],
        resolution: Recommended::CreditNote(amount("171.80")),
        currency: usd(),
        language: Language::English,
        lines_to_explain: vec![2, 3],
        message: MESSAGE.to_owned(),
    }
}

fn mark_of(score: &redress_practice::Score, part: MessagePart) -> u32 {
    score
        .marks
        .iter()
        .find(|m| m.part == Some(part))
        .map(|m| m.points)
        .unwrap()
}

#[test]
fn the_model_answer_scores_full_marks_with_every_mark_explained() {
    let model = model();
    let score = score(&model, &model.as_answer(300));
    assert_eq!((score.points, score.out_of), (100, 100), "{score:#?}");
    assert_eq!(score.points_of(Topic::Findings), FINDINGS_POINTS);
    assert!(
        score
            .findings
            .iter()
            .all(|f| f.outcome == FindingOutcome::Found)
    );
    assert!(score.marks.iter().all(|m| !m.explanation.is_empty()));
    assert_eq!(score.took_seconds, 300);
}

#[test]
fn a_missed_finding_loses_its_share_and_says_where_to_look() {
    let model = model();
    let mut answer = model.as_answer(60);
    answer.findings.remove(1);
    let score = score(&model, &answer);
    assert_eq!(score.points, 100 - FINDINGS_POINTS / 2);
    let missed = score
        .findings
        .iter()
        .find(|f| f.outcome == FindingOutcome::Missed)
        .unwrap();
    assert_eq!(
        (missed.kind, missed.line_no),
        (FindingKind::DuplicateCharge, Some(3))
    );
    assert!(
        score
            .findings_explanation
            .contains("Missed: duplicate charge on line 3"),
        "{}",
        score.findings_explanation
    );
}

#[test]
fn the_right_finding_with_the_wrong_amount_earns_half_its_share() {
    let model = model();
    let mut answer = model.as_answer(60);
    answer.findings[0].amount = amount("100.00");
    let score = score(&model, &answer);
    assert_eq!(score.points, 100 - FINDINGS_POINTS / 4);
    assert!(
        score
            .findings_explanation
            .contains("line 2 is 106.80 USD, not 100.00 USD"),
        "{}",
        score.findings_explanation
    );
}

#[test]
fn an_invented_finding_costs_ten_points_and_a_wrong_kind_is_both_missed_and_invented() {
    let model = model();
    let mut answer = model.as_answer(60);
    answer.findings.push(AnsweredFinding {
        kind: FindingKind::TaxMismatch,
        line_no: None,
        amount: amount("5.00"),
    });
    assert_eq!(
        score(&model, &answer).points,
        100 - INVENTED_FINDING_COST,
        "one finding the records do not show"
    );
    let mut answer = model.as_answer(60);
    answer.findings[1].kind = FindingKind::QuantityOverbilled;
    let wrong_kind = score(&model, &answer);
    assert_eq!(
        wrong_kind.points,
        100 - FINDINGS_POINTS / 2 - INVENTED_FINDING_COST
    );
    // Never below nothing.
    let mut answer = model.as_answer(60);
    answer.findings = (1..=9)
        .map(|line| AnsweredFinding {
            kind: FindingKind::LineArithmetic,
            line_no: Some(line + 10),
            amount: Decimal::ONE,
        })
        .collect();
    assert_eq!(score(&model, &answer).points_of(Topic::Findings), 0);
}

#[test]
fn saying_nothing_is_wrong_when_nothing_is_earns_all_the_findings_points() {
    let mut model = model();
    model.findings.clear();
    model.resolution = Recommended::Reject;
    model.message = "Thank you for your message about invoice INV-P2. We checked line 2 and line 3 against your contract: the charges are correct. If you have documents that show otherwise, please send them and we will review them.".to_owned();
    let perfect = score(&model, &model.as_answer(10));
    assert_eq!(perfect.points, 100, "{perfect:#?}");
    assert_eq!(
        mark_of(&perfect, MessagePart::Apology),
        MESSAGE_PART_POINTS,
        "no apology is owed when the business did not err"
    );
}

#[test]
fn the_wrong_resolution_kind_or_amount_loses_its_fifteen_points() {
    let model = model();
    let mut answer = model.as_answer(60);
    answer.resolution = ResolutionKind::Goodwill;
    let score_kind = score(&model, &answer);
    assert_eq!(score_kind.points, 100 - RESOLUTION_KIND_POINTS);
    assert!(
        score_kind.marks[0]
            .explanation
            .contains("The records support a credit note, not a goodwill")
    );
    let mut answer = model.as_answer(60);
    answer.amount = Some(amount("200.00"));
    let score_amount = score(&model, &answer);
    assert_eq!(score_amount.points, 100 - RESOLUTION_AMOUNT_POINTS);
    assert!(
        score_amount.marks[1]
            .explanation
            .contains("over by 28.20 USD"),
        "{}",
        score_amount.marks[1].explanation
    );
    // A refusal that gives money away.
    let mut rejected = model.clone();
    rejected.resolution = Recommended::Reject;
    let mut answer = rejected.as_answer(60);
    answer.amount = Some(amount("10.00"));
    assert_eq!(
        score(&rejected, &answer).points_of(Topic::Resolution),
        RESOLUTION_KIND_POINTS
    );
}

#[test]
fn each_missing_part_of_the_message_loses_five_points() {
    let model = model();
    let cases: [(MessagePart, &str, &str); 5] = [
        (
            MessagePart::Acknowledgement,
            "Thank you for raising your concerns",
            "About",
        ),
        (
            MessagePart::Apology,
            "We are sorry: the records show",
            "The records show",
        ),
        (MessagePart::LineByLine, "Line 3 charged", "It also charged"),
        (
            MessagePart::Resolution,
            "credit note of USD 171.80",
            "credit note of USD 170.00",
        ),
        (
            MessagePart::NextSteps,
            "and we will put it in place",
            "and it is put in place",
        ),
    ];
    for (part, from, to) in cases {
        assert!(MESSAGE.contains(from), "{from}");
        let mut answer = model.as_answer(60);
        answer.message = MESSAGE.replace(from, to);
        let scored = score(&model, &answer);
        assert_eq!(
            scored.points,
            100 - MESSAGE_PART_POINTS,
            "{part:?}: {scored:#?}"
        );
        assert_eq!(mark_of(&scored, part), 0, "{part:?}");
    }
}

#[test]
fn a_message_in_another_language_than_the_customer_s_loses_its_language_points() {
    let mut model = model();
    model.language = Language::Spanish;
    let scored = score(&model, &model.as_answer(60));
    assert_eq!(mark_of(&scored, MessagePart::Language), 0);
    let said = &scored
        .marks
        .iter()
        .find(|m| m.part == Some(MessagePart::Language))
        .unwrap()
        .explanation;
    assert!(said.contains("Spanish, not English"), "{said}");
    // An empty message earns nothing.
    let mut answer = model.as_answer(60);
    answer.message = String::new();
    assert_eq!(score(&model, &answer).points_of(Topic::Message), 0);
}
