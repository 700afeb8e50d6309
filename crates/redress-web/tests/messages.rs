//! Talking with the customer from the desk over HTTP, as a browser without scripts does: the
//! conversation on the case page (the acknowledgement sent by itself, where each delivery
//! stands), a message drafted in the customer's language, edited and sent as written, a refusal
//! that keeps what was typed, and the documents issued downloaded as PDF. Runs on the backend
//! `REDRESS_TEST_BACKEND` names.

mod desk;

use desk::{Desk, Page, between, unescape};
use redress_domain::Language;
use redress_domain::message::{DeliveryState, Direction, MessageKind};
use redress_domain::resolution::ResolutionKind;
use redress_service::records::Outcome;
use reqwest::StatusCode;

const AGENT: &str = "ana@example.com";

/// The conversation's item of the message `id` on a case page.
fn message_item<'p>(page: &'p Page, id: &str) -> &'p str {
    between(
        &page.body,
        &format!("<li id=\"message-{id}\""),
        "\n    </li>",
    )
    .unwrap_or_else(|| panic!("the message {id} is in the conversation: {}", page.body))
}

/// The text of a message as the conversation shows it, unescaped.
fn shown_body(item: &str) -> String {
    let from = item
        .find("<div class=\"message-body\"")
        .expect("the message's text is shown");
    let rest = &item[from..];
    let text = between(rest, ">", "</div>").unwrap();
    unescape(text)
}

/// The value of the form's input named `name`, unescaped.
fn input_value(page: &Page, name: &str) -> String {
    let input = between(&page.body, &format!("name=\"{name}\""), ">").unwrap();
    unescape(between(input, "value=\"", "\"").unwrap_or(""))
}

/// The text of the form's textarea `id`, unescaped (the newline after its tag is the
/// template's: HTML drops it).
fn textarea(page: &Page, id: &str) -> String {
    let rest = between(&page.body, &format!("<textarea id=\"{id}\""), "</textarea>").unwrap();
    let text = &rest[rest.find('>').unwrap() + 1..];
    unescape(text.strip_prefix('\n').unwrap_or(text))
}

#[tokio::test]
async fn the_case_page_shows_the_acknowledgement_sent_by_itself_waiting_with_no_mail_server() {
    let desk = Desk::start().await;
    let id = desk.open_dispute("INV-A2", 1, "10.00").await;
    let stored = desk.redress.messages().of_dispute(&id).await.unwrap();
    assert_eq!(stored.len(), 1, "the dispute taken was acknowledged");
    let ack = &stored[0];
    assert_eq!(ack.kind, MessageKind::Acknowledgement);
    let session = desk.sign_in(AGENT).await;
    let case = desk.get(&format!("/disputes/{id}"), &session).await;
    assert_eq!(case.status, StatusCode::OK, "{}", case.body);
    let section = between(&case.body, "id=\"messages-heading\"", "</section>").unwrap();
    assert!(
        section.contains("No mail server is configured, so messages wait in the outbox"),
        "the notice says why it waits: {section}"
    );
    assert!(section.contains("redress serve --smtp-url"), "{section}");
    let item = message_item(&case, &ack.id);
    assert!(item.contains("class=\"message message--out\""), "{item}");
    assert!(
        item.contains(
            "<strong class=\"tag\">To the customer</strong> Acknowledgement, by Redress, by itself"
        ),
        "which way, what, and who: {item}"
    );
    assert!(item.contains("in English"), "{item}");
    assert!(
        item.contains("<strong class=\"tag tag--info\">Waiting to be sent</strong>"),
        "{item}"
    );
    assert_eq!(shown_body(item), ack.body, "the text exactly as sent");
    let subject = between(item, "class=\"message-subject\"", "</h3>").unwrap();
    assert_eq!(
        unescape(&subject[subject.find('>').unwrap() + 1..]),
        ack.subject,
        "its subject"
    );
    // It can be had as a letter, in its language.
    let letter = desk
        .get(&format!("/documents/letters/{}.pdf", ack.id), &session)
        .await;
    assert_eq!(letter.status, StatusCode::OK);
    assert!(letter.body.starts_with("%PDF"), "a PDF");
    // The acknowledgement is not delivered yet, so its target still runs (or is over); the
    // case says where each of the three stands, in words.
    let levels = between(&case.body, "id=\"service-levels\"", "</section>").unwrap();
    for stage in ["Acknowledge", "First response", "Resolve"] {
        assert!(levels.contains(&format!("<dt>{stage}</dt>")), "{levels}");
    }
    assert!(
        levels.contains("Due ") || levels.contains("Breached: was due"),
        "{levels}"
    );
    desk.stop().await;
}

#[tokio::test]
async fn an_agent_drafts_the_charges_explained_in_spanish_edits_it_and_the_case_shows_it_as_sent() {
    let desk = Desk::start().await;
    let session = desk.sign_in(AGENT).await;
    // DSP-2 is Sora's (C-SORA writes in Spanish), on INV-S2.
    let case = desk.get("/disputes/DSP-2", &session).await;
    let link = "/disputes/DSP-2/messages/new?kind=explanation";
    assert!(
        case.body
            .contains(&format!("<a href=\"{link}\">Explain the charges</a>")),
        "{}",
        case.body
    );
    assert!(
        !case.body.contains("kind=satisfaction_follow_up"),
        "not offered yet"
    );
    let draft = desk.get(link, &session).await;
    assert_eq!(draft.status, StatusCode::OK, "{}", draft.body);
    assert!(draft.body.contains("<h1>Explain the charges</h1>"));
    assert!(
        draft.body.contains("Sora Müller 株式会社"),
        "{}",
        draft.body
    );
    assert!(draft.body.contains("keiri@sora.example"));
    assert!(
        draft.body.contains("<dt>Language</dt><dd>Spanish"),
        "{}",
        draft.body
    );
    assert!(!draft.body.contains("is not one we write in"));
    assert!(draft.body.contains("lang=\"es\""));
    let subject = input_value(&draft, "subject");
    assert!(subject.contains("DSP-2"), "{subject}");
    let drafted = textarea(&draft, "message-body");
    assert!(
        drafted.contains("INV-S2"),
        "the charges of INV-S2: {drafted}"
    );
    // The agent adds a line of their own, with characters HTML would read as markup.
    let edited = format!("Hola de nuevo <equipo de facturación> & gracias.\n\n{drafted}");
    let sent = desk
        .post(
            "/disputes/DSP-2/messages",
            Some(&session),
            &[
                ("csrf", &draft.csrf()),
                ("kind", "explanation"),
                ("language", "es"),
                ("subject", &subject),
                // A browser sends a textarea's line breaks as CR LF.
                ("body", &edited.replace('\n', "\r\n")),
            ],
            &[],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let stored = desk.redress.messages().of_dispute("DSP-2").await.unwrap();
    assert_eq!(stored.len(), 1);
    let message = &stored[0];
    assert_eq!(
        sent.location(),
        format!(
            "/disputes/DSP-2?done=message_waiting#message-{}",
            message.id
        )
    );
    // Kept as the agent wrote it, with the customer's own portal link where the draft put
    // `{portal-link}`.
    assert!(edited.contains("{portal-link}"));
    let at = message.body.find("http://127.0.0.1:8080/portal/").unwrap();
    let url: String = message.body[at..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    assert_eq!(
        message.body,
        edited.replace("{portal-link}", &url),
        "kept as the agent wrote it"
    );
    assert_eq!(message.subject, subject);
    assert_eq!(message.kind, MessageKind::Explanation);
    assert_eq!(message.language, Language::Spanish);
    assert_eq!(message.direction, Direction::ToCustomer);
    assert_eq!(message.written_by, desk.agent.id);
    assert_eq!(
        message.delivery.as_ref().map(|d| d.state),
        Some(DeliveryState::Waiting)
    );
    let case = desk
        .get("/disputes/DSP-2?done=message_waiting", &session)
        .await;
    assert!(
        case.body.contains(
            "<div class=\"flash\" role=\"status\">Message queued. It will be sent when a mail \
             server is configured.</div>"
        ),
        "{}",
        case.body
    );
    let item = message_item(&case, &message.id);
    assert_eq!(shown_body(item), message.body, "shown exactly as sent");
    assert!(
        item.contains("&#60;equipo de facturación&#62; &#38; gracias")
            || item.contains("&lt;equipo de facturación&gt; &amp; gracias"),
        "escaped: {item}"
    );
    assert!(item.contains("Explanation of the charges, by You (Ana Ruiz)"));
    assert!(item.contains("in Spanish"), "{item}");
    assert!(item.contains("lang=\"es\""), "{item}");
    desk.stop().await;
}

#[tokio::test]
async fn an_empty_subject_is_refused_by_its_field_the_text_typed_is_kept_and_nothing_is_sent() {
    let desk = Desk::start().await;
    let session = desk.sign_in(AGENT).await;
    let draft = desk
        .get("/disputes/DSP-2/messages/new?kind=status_update", &session)
        .await;
    assert_eq!(draft.status, StatusCode::OK, "{}", draft.body);
    let (waiting_before, _) = desk.redress.messages().outbox_counts().await.unwrap();
    let typed = "Seguimos revisando su factura.\nLe escribiremos pronto.";
    let refused = desk
        .post(
            "/disputes/DSP-2/messages",
            Some(&session),
            &[
                ("csrf", &draft.csrf()),
                ("kind", "status_update"),
                ("language", "es"),
                ("subject", "   "),
                ("body", typed),
            ],
            &[],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.title().starts_with("Error: "),
        "{}",
        refused.title()
    );
    assert!(refused.body.contains("There is a problem"));
    assert!(
        refused
            .body
            .contains("<a href=\"#message-subject\">A message needs a subject</a>"),
        "{}",
        refused.body
    );
    assert!(
        refused
            .body
            .contains("aria-describedby=\"message-subject-error\" aria-invalid=\"true\""),
        "the field says so too"
    );
    assert_eq!(textarea(&refused, "message-body"), typed, "kept as typed");
    assert!(
        refused.body.contains("<h1>Status update</h1>"),
        "the same form again"
    );
    assert!(
        desk.redress
            .messages()
            .of_dispute("DSP-2")
            .await
            .unwrap()
            .is_empty(),
        "nothing was sent"
    );
    let (waiting_after, _) = desk.redress.messages().outbox_counts().await.unwrap();
    assert_eq!(waiting_after, waiting_before);
    // A kind not written from the desk is not drafted.
    let unknown = desk
        .get(
            "/disputes/DSP-2/messages/new?kind=satisfaction_follow_up",
            &session,
        )
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        unknown.body.contains("<a href=\"#write\">"),
        "{}",
        unknown.body
    );
    // Without its token, the form sends nothing.
    let forged = desk
        .post(
            "/disputes/DSP-2/messages",
            Some(&session),
            &[
                ("kind", "status_update"),
                ("language", "es"),
                ("subject", "Hola"),
                ("body", typed),
            ],
            &[],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(
        desk.redress
            .messages()
            .of_dispute("DSP-2")
            .await
            .unwrap()
            .is_empty()
    );
    desk.stop().await;
}

#[tokio::test]
async fn each_delivery_says_where_it_stands_and_a_failed_one_is_marked_with_what_to_do() {
    let desk = Desk::start().await;
    let first = desk.open_dispute("INV-A2", 1, "10.00").await;
    let second = desk.open_dispute("INV-A3", 1, "10.00").await;
    let messages = desk.redress.messages();
    let claimed = messages
        .claim_due(std::time::Duration::from_secs(60), 10)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 2, "both acknowledgements were due");
    for claim in &claimed {
        let outcome = if claim.message.dispute_id.as_deref() == Some(first.as_str()) {
            Outcome::Delivered
        } else {
            Outcome::Failed {
                error: "550 mailbox unavailable".to_owned(),
            }
        };
        assert!(messages.mark(claim, outcome).await.unwrap());
    }
    let session = desk.sign_in(AGENT).await;
    let delivered = desk.get(&format!("/disputes/{first}"), &session).await;
    let id = &messages.of_dispute(&first).await.unwrap()[0].id;
    let item = message_item(&delivered, id);
    assert!(
        item.contains("<strong class=\"tag tag--ok\">Delivered "),
        "{item}"
    );
    assert!(!item.contains("message--failed"));
    assert!(
        !delivered.body.contains("No mail server is configured"),
        "nothing waits now"
    );
    let failed = desk.get(&format!("/disputes/{second}"), &session).await;
    let id = &messages.of_dispute(&second).await.unwrap()[0].id;
    let item = message_item(&failed, id);
    assert!(
        item.contains("class=\"message message--out message--failed\""),
        "marked by its style: {item}"
    );
    assert!(
        item.contains(
            "<strong class=\"tag tag--bad\">Failed: 550 mailbox unavailable \u{2014} check the \
             address and send again</strong>"
        ),
        "and in words: {item}"
    );
    desk.stop().await;
}

#[tokio::test]
async fn a_customer_whose_language_we_do_not_write_in_gets_an_english_draft_and_the_agent_is_warned()
 {
    let desk = Desk::start().await;
    // Halvorsen Bakeri writes in Norwegian (nb).
    let dir =
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/half-price");
    desk.redress
        .billing()
        .import(
            redress_import::read_billing_data(&dir, &redress_import::NoProgress).unwrap(),
            "test",
        )
        .await
        .unwrap();
    let id = desk.open_dispute("INV-H1", 1, "60.00").await;
    let session = desk.sign_in(AGENT).await;
    let draft = desk
        .get(
            &format!("/disputes/{id}/messages/new?kind=information_request"),
            &session,
        )
        .await;
    assert_eq!(draft.status, StatusCode::OK, "{}", draft.body);
    assert!(draft.body.contains("<h1>Request information</h1>"));
    assert!(
        draft.body.contains(
            "the customer&#39;s language is not one we write in; this draft is in English"
        ) || draft
            .body
            .contains("the customer's language is not one we write in; this draft is in English"),
        "{}",
        draft.body
    );
    assert!(draft.body.contains("<dt>Language</dt><dd>English"));
    desk.stop().await;
}

#[tokio::test]
async fn a_credit_notes_pdf_downloads_and_a_wrong_id_is_not_found() {
    let desk = Desk::start().await;
    let note = desk
        .resolve("DSP-4", ResolutionKind::CreditNote, (4, "10.00"), true)
        .await
        .1
        .expect("a credit note was issued");
    let session = desk.sign_in(AGENT).await;
    let pdf_path = format!("/documents/credit-notes/{note}.pdf");
    // Linked from its page and from the case's resolution.
    let page = desk.get(&format!("/credit-notes/{note}"), &session).await;
    assert!(
        page.body
            .contains(&format!("<a href=\"{pdf_path}\">Download PDF</a>")),
        "{}",
        page.body
    );
    let case = desk.get("/disputes/DSP-4", &session).await;
    let resolutions = between(&case.body, "id=\"resolutions-heading\"", "</section>").unwrap();
    assert!(
        resolutions.contains(&format!("<a href=\"{pdf_path}\">Download PDF")),
        "{resolutions}"
    );
    let get = |path: String, session: Option<String>| {
        let mut request = desk.client.get(format!("{}{path}", desk.base));
        if let Some(token) = session {
            request = request.header("cookie", format!("redress_session={token}"));
        }
        request.send()
    };
    let pdf = get(pdf_path.clone(), Some(session.clone())).await.unwrap();
    assert_eq!(pdf.status(), StatusCode::OK);
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    let disposition = pdf.headers()["content-disposition"].to_str().unwrap();
    assert_eq!(disposition, format!("attachment; filename=\"{note}.pdf\""));
    let bytes = pdf.bytes().await.unwrap();
    assert!(bytes.starts_with(b"%PDF"), "a PDF");
    // In another language, asked for.
    let spanish = get(format!("{pdf_path}?language=es"), Some(session.clone()))
        .await
        .unwrap();
    assert_eq!(spanish.status(), StatusCode::OK);
    assert!(spanish.bytes().await.unwrap().starts_with(b"%PDF"));
    let klingon = get(format!("{pdf_path}?language=tlh"), Some(session.clone()))
        .await
        .unwrap();
    assert_eq!(klingon.status(), StatusCode::BAD_REQUEST);
    // A wrong id is a page that says so.
    let wrong = desk
        .get("/documents/credit-notes/CN-NOPE.pdf", &session)
        .await;
    assert_eq!(wrong.status, StatusCode::NOT_FOUND);
    assert!(wrong.body.contains("Page not found"), "{}", wrong.body);
    let invoice = desk
        .get("/documents/issued-invoices/RI-NOPE.pdf", &session)
        .await;
    assert_eq!(invoice.status, StatusCode::NOT_FOUND);
    // Only for someone signed in.
    let anonymous = get(pdf_path, None).await.unwrap();
    assert_eq!(anonymous.status(), StatusCode::SEE_OTHER);
    assert!(
        anonymous.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/sign-in")
    );
    desk.stop().await;
}

#[tokio::test]
async fn a_confirmation_offers_the_credit_note_issued_ticked_and_sends_it_with_the_message() {
    let desk = Desk::start().await;
    let note = desk
        .resolve("DSP-4", ResolutionKind::CreditNote, (4, "10.00"), true)
        .await
        .1
        .expect("a credit note was issued");
    let session = desk.sign_in(AGENT).await;
    let draft = desk
        .get("/disputes/DSP-4/messages/new?kind=confirmation", &session)
        .await;
    assert_eq!(draft.status, StatusCode::OK, "{}", draft.body);
    let value = format!("credit_note:{note}");
    assert!(
        draft
            .body
            .contains(&format!("name=\"document\" value=\"{value}\" checked>")),
        "the draft's document is ticked: {}",
        draft.body
    );
    let sent = desk
        .post(
            "/disputes/DSP-4/messages",
            Some(&session),
            &[
                ("csrf", &draft.csrf()),
                ("kind", "confirmation"),
                ("language", "en-US"),
                ("subject", &input_value(&draft, "subject")),
                ("body", &textarea(&draft, "message-body")),
                ("document", &value),
            ],
            &[],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let stored = desk.redress.messages().of_dispute("DSP-4").await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(
        stored[0].documents,
        vec![redress_domain::message::DocumentRef::CreditNote(
            note.clone()
        )]
    );
    let case = desk.get("/disputes/DSP-4", &session).await;
    let item = message_item(&case, &stored[0].id);
    assert!(
        item.contains(&format!(
            "<a href=\"/documents/credit-notes/{note}.pdf\">Download PDF"
        )),
        "the documents it carried: {item}"
    );
    // A document not issued on this dispute is refused by the documents' field.
    let stray = desk
        .post(
            "/disputes/DSP-4/messages",
            Some(&session),
            &[
                ("csrf", &draft.csrf()),
                ("kind", "confirmation"),
                ("language", "en-US"),
                ("subject", "Done"),
                ("body", "Attached."),
                ("document", "credit_note:CN-SOMEONE-ELSES"),
            ],
            &[],
        )
        .await;
    assert_eq!(stray.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        stray.body.contains("<a href=\"#message-documents\">"),
        "{}",
        stray.body
    );
    assert_eq!(
        desk.redress
            .messages()
            .of_dispute("DSP-4")
            .await
            .unwrap()
            .len(),
        1
    );
    desk.stop().await;
}
