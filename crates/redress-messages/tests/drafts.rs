//! Every message kind drafted in every language, with the locale's amounts and dates.

use jiff::civil::date;
use redress_domain::resolution::{Instalment, PaymentPlan};
use redress_domain::{Currency, DisputeReason, Money, NoticeKind};
use redress_messages::*;

fn money(amount: &str, code: &str) -> Money {
    Money {
        amount: amount.parse().unwrap(),
        currency: Currency::from_code(code).unwrap(),
    }
}

fn plan(count: usize) -> PaymentPlan {
    let eur = Currency::from_code("EUR").unwrap();
    let instalments: Vec<Instalment> = (0..count)
        .map(|i| Instalment {
            due_on: date(2026, 12 - count as i8 + 1 + i as i8, 1),
            amount: "100.00".parse().unwrap(),
        })
        .collect();
    PaymentPlan::new((100 * count as i64).into(), eur, instalments).unwrap()
}

/// One of each kind, all in EUR 1234.56, the reply due 5 November 2026.
fn every_kind() -> Vec<Message> {
    let amount = money("1234.56", "EUR");
    let day = date(2026, 11, 5);
    let name = || "Ana López".to_owned();
    let mut kinds = vec![
        Message::Acknowledgement(Acknowledgement {
            customer_name: name(),
            dispute_id: "D-42".into(),
            invoice_id: "INV-7".into(),
            reason: DisputeReason::Overcharged,
            received_on: date(2026, 10, 20),
            respond_by: day,
        }),
        Message::InformationRequest(InformationRequest {
            customer_name: name(),
            dispute_id: "D-42".into(),
            invoice_id: "INV-7".into(),
            needed: vec![
                InformationNeeded::ProofOfPayment,
                InformationNeeded::BankDetails,
            ],
            respond_by: day,
        }),
        Message::Explanation(Explanation {
            customer_name: name(),
            dispute_id: "D-42".into(),
            invoice_id: "INV-7".into(),
            invoice_date: date(2026, 10, 1),
            invoice_total: amount,
            lines: vec![ExplainedLine {
                description: "Consulting".into(),
                amount,
                contract: Some(ContractTerms {
                    contract_id: "C-1".into(),
                    signed_on: date(2026, 1, 15),
                    unit_price: money("617.28", "EUR"),
                    quantity: 2.into(),
                }),
                deliveries: vec![DeliveryMade {
                    reference: "DL-9".into(),
                    delivered_on: date(2026, 9, 30),
                    quantity: 2.into(),
                }],
                payments: vec![PaymentReceived {
                    reference: "P-3".into(),
                    paid_on: date(2026, 10, 10),
                    amount,
                }],
                notices: vec![NoticeSent {
                    kind: NoticeKind::Reminder,
                    sent_on: date(2026, 10, 5),
                    amount: Some(amount),
                }],
            }],
        }),
        Message::ResolutionOffer(ResolutionOffer {
            customer_name: name(),
            dispute_id: "D-42".into(),
            invoice_id: "INV-7".into(),
            decision: Decision::Offer(vec![
                RemedyOffered::CreditNote { amount },
                RemedyOffered::Refund { amount },
                RemedyOffered::AccountCredit { amount },
                RemedyOffered::PaymentPlan(plan(3)),
            ]),
            reply_by: day,
        }),
        Message::ResolutionOffer(ResolutionOffer {
            customer_name: name(),
            dispute_id: "D-42".into(),
            invoice_id: "INV-7".into(),
            decision: Decision::Rejection {
                proofs: vec![
                    Proof::PriceAsContracted {
                        contract_id: "C-1".into(),
                        signed_on: date(2026, 1, 15),
                        unit_price: money("617.28", "EUR"),
                    },
                    Proof::NoticeSent(NoticeSent {
                        kind: NoticeKind::OverdueNotice,
                        sent_on: date(2026, 10, 5),
                        amount: None,
                    }),
                    Proof::NotADuplicate {
                        other_invoice_id: "INV-6".into(),
                    },
                ],
                amount_due: amount,
            },
            reply_by: day,
        }),
        Message::StatusUpdate(StatusUpdate {
            customer_name: name(),
            dispute_id: "D-42".into(),
            invoice_id: "INV-7".into(),
            days_open: 21,
            stage: DisputeStage::AwaitingApproval,
            next_update_by: day,
        }),
        Message::Confirmation(Confirmation {
            customer_name: name(),
            dispute_id: "D-42".into(),
            invoice_id: "INV-7".into(),
            documents: vec![DocumentIssued::CreditNote {
                number: "CN-2026-0007".into(),
                issued_on: day,
                amount,
            }],
        }),
        Message::ArrearsNotice(ArrearsNotice {
            customer_name: name(),
            period_start: date(2026, 1, 1),
            period_end: date(2026, 6, 30),
            amount,
            options: vec![
                ArrearsOption::NextInvoice,
                ArrearsOption::SeparateInvoice { due_on: day },
                ArrearsOption::Instalments(plan(3)),
            ],
            reply_by: day,
        }),
        Message::SatisfactionFollowUp(SatisfactionFollowUp {
            customer_name: name(),
            dispute_id: "D-42".into(),
            invoice_id: "INV-7".into(),
            survey_link: "https://example.com/s/abc".into(),
        }),
    ];
    // The whole answer: the explanation above with each decision, apologising for an offer.
    let Message::Explanation(explanation) = kinds[2].clone() else {
        unreachable!("the third kind is the explanation")
    };
    for i in [3, 4] {
        let Message::ResolutionOffer(offer) = kinds[i].clone() else {
            unreachable!("the fourth and fifth kinds are offers")
        };
        kinds.push(Message::Reply(Reply {
            explanation: explanation.clone(),
            apologise: matches!(offer.decision, Decision::Offer(_)),
            decision: offer.decision,
            reply_by: offer.reply_by,
        }));
    }
    kinds
}

fn expected(language: Language) -> (&'static str, &'static str) {
    match language {
        Language::English => ("EUR 1,234.56", "November 5, 2026"),
        Language::Spanish => ("1234,56 EUR", "5 de noviembre de 2026"),
        Language::SimplifiedChinese => ("EUR 1,234.56", "2026年11月5日"),
    }
}

#[test]
fn every_message_kind_renders_in_every_language_with_its_amounts_and_dates() {
    for language in Language::ALL {
        let (amount, day) = expected(language);
        for message in every_kind() {
            let draft = draft(&message, language);
            let whole = format!("{}\n{}", draft.subject, draft.body);
            assert!(
                draft.missing.is_empty(),
                "{language:?}: {:?}",
                draft.missing
            );
            assert_eq!(draft.language, language);
            assert!(!draft.subject.is_empty() && !draft.body.is_empty());
            assert!(!whole.contains('{') && !whole.contains('}'), "{whole}");
            assert!(!whole.contains('\u{2068}'), "isolation marks in {whole}");
            for raw in ["-subject", "-intro", "greeting", "closing", "money"] {
                assert!(!whole.contains(raw), "{raw} left in {whole}");
            }
            if !matches!(message, Message::SatisfactionFollowUp(_)) {
                let has_day = whole.contains(day);
                let has_amount = whole.contains(amount);
                match message {
                    Message::Acknowledgement(_)
                    | Message::InformationRequest(_)
                    | Message::StatusUpdate(_) => assert!(has_day, "{whole}"),
                    Message::Explanation(_) => assert!(has_amount, "{whole}"),
                    _ => assert!(has_day && has_amount, "{language:?}: {whole}"),
                }
            } else {
                assert!(whole.contains("https://example.com/s/abc") && whole.contains('5'));
            }
        }
    }
}

#[test]
fn the_explanation_gives_each_lines_contract_delivery_payment_and_notice() {
    let explanation = &every_kind()[2];
    let english = draft(explanation, Language::English).body;
    for fact in [
        "1. Consulting: EUR 1,234.56",
        "Contract C-1 of January 15, 2026: 2 at EUR 617.28 each.",
        "Delivered on September 30, 2026: 2 (delivery DL-9).",
        "Paid on October 10, 2026: EUR 1,234.56 (payment P-3).",
        "A reminder for EUR 1,234.56 was sent to you on October 5, 2026.",
    ] {
        assert!(english.contains(fact), "{fact} not in {english}");
    }
    let spanish = draft(explanation, Language::Spanish).body;
    assert!(
        spanish.contains("Contrato C-1 del 15 de enero de 2026: 2 a 617,28 EUR cada uno."),
        "{spanish}"
    );
}

#[test]
fn larger_spanish_amounts_are_grouped_with_points() {
    let mut message = every_kind().remove(6);
    if let Message::Confirmation(c) = &mut message {
        c.documents = vec![DocumentIssued::CreditNote {
            number: "CN-1".into(),
            issued_on: date(2026, 11, 5),
            amount: money("12345.6", "EUR"),
        }];
    }
    let body = draft(&message, Language::Spanish).body;
    assert!(
        body.contains("Nota de crédito CN-1 del 5 de noviembre de 2026, por 12.345,60 EUR"),
        "{body}"
    );
}

#[test]
fn yen_amounts_have_no_decimals_and_dinar_amounts_three() {
    let offer = |amount| {
        Message::ResolutionOffer(ResolutionOffer {
            customer_name: "Sato".into(),
            dispute_id: "D-1".into(),
            invoice_id: "INV-1".into(),
            decision: Decision::Offer(vec![RemedyOffered::Refund { amount }]),
            reply_by: date(2026, 11, 5),
        })
    };
    let yen = draft(&offer(money("123456", "JPY")), Language::English).body;
    assert!(yen.contains("a refund of JPY 123,456 to"), "{yen}");
    let dinar = draft(&offer(money("1.5", "KWD")), Language::Spanish).body;
    assert!(dinar.contains("un reembolso de 1,500 KWD"), "{dinar}");
}

#[test]
fn an_unknown_language_code_is_drafted_in_english_and_flagged() {
    let (language, written) = Language::for_customer("de");
    assert_eq!((language, written), (Language::English, false));
    let draft = draft(&every_kind()[0], language);
    assert!(draft.body.starts_with("Dear Ana López,"), "{}", draft.body);
}

#[test]
fn spanish_plural_forms_differ_for_one_and_three_instalments() {
    let offer = |count| {
        Message::ResolutionOffer(ResolutionOffer {
            customer_name: "Ana".into(),
            dispute_id: "D-1".into(),
            invoice_id: "INV-1".into(),
            decision: Decision::Offer(vec![RemedyOffered::PaymentPlan(plan(count))]),
            reply_by: date(2026, 11, 5),
        })
    };
    let one = draft(&offer(1), Language::Spanish).body;
    let three = draft(&offer(3), Language::Spanish).body;
    assert!(
        one.contains("pagar los 100,00 EUR adeudados en un plazo:"),
        "{one}"
    );
    assert!(one.contains("Le proponemos:"), "{one}");
    assert!(
        three.contains("pagar los 300,00 EUR adeudados en 3 plazos:"),
        "{three}"
    );
    assert!(
        three.contains("3. 100,00 EUR con vencimiento el 1 de diciembre de 2026"),
        "{three}"
    );
}
