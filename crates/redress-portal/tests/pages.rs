//! The portal over HTTP, as a browser without scripts uses it, on the backend
//! `REDRESS_TEST_BACKEND` names (SQLite by default, or PostgreSQL): the real server, a fresh
//! database with a fixture imported, and links issued by an agent.

mod portal;

use portal::{Fixture, Portal};
use redress_domain::ledger::EntryKind;
use redress_domain::message::Direction;
use redress_domain::resolution::{ResolutionKind, ResolutionStatus};
use redress_domain::{Decimal, DisputeStatus};
use redress_service::messages::Communication;
use reqwest::StatusCode;

fn dec(text: &str) -> Decimal {
    text.parse().unwrap()
}

#[tokio::test]
async fn a_link_opens_the_customers_disputes_and_nothing_of_another_customers() {
    let portal = Portal::start(Fixture::Audit).await;
    let sora = portal.link("C-SORA", Some("DSP-2")).await;

    let home = portal.get(&sora).await;
    assert_eq!(home.status, StatusCode::OK, "{}", home.body);
    assert_eq!(home.lang(), "es", "the customer's language");
    assert!(
        home.body.contains("<h1>Sus reclamaciones</h1>"),
        "{}",
        home.body
    );
    assert!(
        home.body
            .contains(&format!("href=\"{sora}/disputes/DSP-2\""))
    );
    assert!(home.body.contains("INV-S2"));
    // Acme's disputes and invoices are not Sora's.
    for theirs in ["DSP-1", "DSP-3", "DSP-4", "DSP-5", "INV-A", "Acme"] {
        assert!(!home.body.contains(theirs), "{theirs} shows: {}", home.body);
    }
    // Never cached, never indexed, and the address (it holds the token) never sent elsewhere.
    assert_eq!(home.headers["cache-control"], "no-store");
    assert_eq!(home.headers["referrer-policy"], "no-referrer");
    assert!(
        home.headers["content-security-policy"]
            .to_str()
            .unwrap()
            .starts_with("default-src 'none'")
    );

    let theirs = portal.get(&format!("{sora}/disputes/DSP-2")).await;
    assert_eq!(theirs.status, StatusCode::OK, "{}", theirs.body);
    assert!(
        theirs.body.contains("Su reclamación DSP-2"),
        "{}",
        theirs.body
    );
    // The invoice line by line, in Spanish, amounts as Spanish writes them.
    let invoice = theirs.section("invoice");
    assert!(invoice.contains("Factura INV-S2"), "{invoice}");
    assert!(invoice.contains("Usted reclamó esta línea"), "{invoice}");
    assert!(invoice.contains("17.243 JPY"), "the total in es: {invoice}");

    // Another customer's dispute is not found, and says no more than one that does not exist.
    let acmes = portal.get(&format!("{sora}/disputes/DSP-1")).await;
    let nobodys = portal.get(&format!("{sora}/disputes/DSP-999")).await;
    assert_eq!(acmes.status, StatusCode::NOT_FOUND);
    assert_eq!(nobodys.status, StatusCode::NOT_FOUND);
    assert_eq!(acmes.body, nobodys.body);
    assert!(!acmes.body.contains("INV-A4"), "{}", acmes.body);
    assert!(
        acmes.body.contains("Página no encontrada"),
        "{}",
        acmes.body
    );
    // Nor can its conversation be written to, with the right token.
    let page = portal.get(&format!("{sora}/disputes/DSP-2")).await;
    let reply = portal
        .post(
            &format!("{sora}/disputes/DSP-1/replies"),
            &[("csrf", &page.csrf()), ("text", "Not mine")],
            &[],
        )
        .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    let acme_messages = portal.redress.messages().of_dispute("DSP-1").await.unwrap();
    assert!(acme_messages.iter().all(|m| m.body != "Not mine"));
    // Nor a correction or a document of anyone's, nor any other address.
    for path in [
        "/corrections/ARR-1",
        "/documents/credit-notes/CN-2026-000001.pdf",
        "/documents/invoices/RI-2026-000001.pdf",
        "/elsewhere",
    ] {
        let page = portal.get(&format!("{sora}{path}")).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}");
    }
    portal.stop().await;
}

#[tokio::test]
async fn an_unknown_a_withdrawn_and_an_expired_link_are_refused_with_what_to_do() {
    let portal = Portal::start(Fixture::Audit).await;
    let email = portal.redress.communication().business.email.clone();

    let unknown = portal.get("/portal/0123456789abcdef").await;
    assert_eq!(unknown.status, StatusCode::FORBIDDEN);
    assert_eq!(unknown.lang(), "en", "English: the customer is not known");
    assert!(
        unknown.body.contains("This link is not one we sent"),
        "{}",
        unknown.body
    );
    assert!(
        unknown.body.contains(&format!(
            "Ask us for a new link: reply to any of our emails or write to {email}."
        )),
        "{}",
        unknown.body
    );
    // Every address under it, and a form sent to it, too.
    let deeper = portal.get("/portal/0123456789abcdef/disputes/DSP-1").await;
    assert_eq!(deeper.status, StatusCode::FORBIDDEN);
    let posted = portal
        .post(
            "/portal/0123456789abcdef/disputes/DSP-1/replies",
            &[("text", "hi")],
            &[],
        )
        .await;
    assert_eq!(posted.status, StatusCode::FORBIDDEN);

    // Withdrawn by an agent: it opens nothing from then on.
    let (issued, _) = portal
        .redress
        .portal()
        .issue(&portal.agent, "C-ACME", Some("DSP-1"))
        .await
        .unwrap();
    let path = format!("/portal/{}", issued.token);
    assert_eq!(portal.get(&path).await.status, StatusCode::OK);
    portal
        .redress
        .portal()
        .revoke(&portal.agent, &issued.link.id)
        .await
        .unwrap();
    let revoked = portal.get(&path).await;
    assert_eq!(revoked.status, StatusCode::FORBIDDEN);
    assert!(
        revoked.body.contains("This link was withdrawn on"),
        "{}",
        revoked.body
    );
    assert!(!revoked.body.contains("Acme"), "no data: {}", revoked.body);
    assert!(!revoked.body.contains("DSP-1"), "no data: {}", revoked.body);

    // Expired: a link of a business whose links last no time at all (the service takes any
    // number of days; `--portal-link-days` keeps at least 1).
    let instant = portal.redress.clone().with_communication(Communication {
        link_valid_days: 0,
        ..Default::default()
    });
    let (issued, _) = instant
        .portal()
        .issue(&portal.agent, "C-ACME", Some("DSP-1"))
        .await
        .unwrap();
    let expired = portal.get(&format!("/portal/{}", issued.token)).await;
    assert_eq!(expired.status, StatusCode::FORBIDDEN);
    assert!(
        expired.body.contains("This link expired on"),
        "{}",
        expired.body
    );
    assert!(expired.body.contains(&email), "{}", expired.body);
    assert!(!expired.body.contains("Acme"), "no data: {}", expired.body);

    // A browser asking for Spanish is answered in Spanish.
    let spanish = portal
        .get_with(
            "/portal/0123456789abcdef",
            &[("accept-language", "es-ES,es;q=0.9")],
        )
        .await;
    assert_eq!(spanish.status, StatusCode::FORBIDDEN);
    assert_eq!(spanish.lang(), "es");
    assert!(
        spanish.body.contains("Pídanos un enlace nuevo"),
        "{}",
        spanish.body
    );
    portal.stop().await;
}

#[tokio::test]
async fn a_customer_replies_and_the_reply_is_in_the_conversation() {
    let portal = Portal::start(Fixture::Audit).await;
    let acme = portal.link("C-ACME", Some("DSP-1")).await;
    let dispute = format!("{acme}/disputes/DSP-1");
    let page = portal.get(&dispute).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(page.lang(), "en");
    let csrf = page.csrf();

    // An empty reply is refused with the summary naming the field, and nothing is kept.
    let empty = portal
        .post(
            &format!("{dispute}/replies"),
            &[("csrf", &csrf), ("text", "  ")],
            &[],
        )
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.title().starts_with("Error: "), "{}", empty.title());
    assert!(
        empty
            .body
            .contains("<li><a href=\"#reply\">Write your reply before sending it</a></li>"),
        "{}",
        empty.body
    );

    let text = "We paid INV-A3 on time.\nSee <b>our</b> remittance & bank statement.";
    let sent = portal
        .post(
            &format!("{dispute}/replies"),
            &[("csrf", &csrf), ("text", text)],
            &[],
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    assert_eq!(
        sent.location(),
        format!("{dispute}?done=replied#conversation")
    );
    let after = portal.get(&format!("{dispute}?done=replied")).await;
    assert!(
        after.body.contains("Your reply was sent."),
        "{}",
        after.body
    );
    let conversation = after.section("conversation");
    assert!(
        conversation.contains(
            "We paid INV-A3 on time.\nSee &#60;b&#62;our&#60;/b&#62; remittance &#38; bank statement."
        ),
        "the text as sent, escaped: {conversation}"
    );
    assert!(conversation.contains("You wrote"), "{conversation}");
    // The service keeps it as the customer's message on the dispute.
    let kept = portal.redress.messages().of_dispute("DSP-1").await.unwrap();
    let last = kept.last().unwrap();
    assert_eq!(last.direction, Direction::FromCustomer);
    assert_eq!(last.body, text);
    assert_eq!(last.written_by, "customer:C-ACME");

    // A document sent is in the case file; a file of another kind is refused.
    let pdf = b"%PDF-1.4\n% remittance\n".to_vec();
    let attached = portal
        .post_file(
            &format!("{dispute}/attachments"),
            &csrf,
            "remittance.pdf",
            "application/pdf",
            pdf,
        )
        .await;
    assert_eq!(attached.status, StatusCode::SEE_OTHER, "{}", attached.body);
    let files = portal.get(&dispute).await;
    assert!(
        files.section("files").contains("remittance.pdf"),
        "{}",
        files.body
    );
    let exe = portal
        .post_file(
            &format!("{dispute}/attachments"),
            &csrf,
            "tool.exe",
            "application/x-msdownload",
            b"MZ".to_vec(),
        )
        .await;
    assert_eq!(exe.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(exe.body.contains("href=\"#file\""), "{}", exe.body);
    portal.stop().await;
}

#[tokio::test]
async fn a_post_without_the_links_csrf_token_or_from_another_site_is_refused() {
    let portal = Portal::start(Fixture::Audit).await;
    let acme = portal.link("C-ACME", Some("DSP-1")).await;
    let dispute = format!("{acme}/disputes/DSP-1");
    let csrf = portal.get(&dispute).await.csrf();
    let before = portal
        .redress
        .messages()
        .of_dispute("DSP-1")
        .await
        .unwrap()
        .len();

    let without = portal
        .post(&format!("{dispute}/replies"), &[("text", "no token")], &[])
        .await;
    assert_eq!(without.status, StatusCode::FORBIDDEN);
    assert!(
        without.body.contains("This form was refused"),
        "{}",
        without.body
    );
    let wrong = portal
        .post(
            &format!("{dispute}/replies"),
            &[("csrf", "0".repeat(64).as_str()), ("text", "wrong token")],
            &[],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    // Another link's token is no good either.
    let other = portal.link("C-ACME", None).await;
    let others_csrf = portal.get(&other).await;
    assert_eq!(others_csrf.status, StatusCode::OK);
    let cross = portal
        .post(
            &format!("{dispute}/replies"),
            &[("csrf", &csrf), ("text", "from elsewhere")],
            &[("sec-fetch-site", "cross-site")],
        )
        .await;
    assert_eq!(cross.status, StatusCode::FORBIDDEN);
    let origin = portal
        .post(
            &format!("{dispute}/replies"),
            &[("csrf", &csrf), ("text", "from elsewhere")],
            &[("origin", "https://evil.example")],
        )
        .await;
    assert_eq!(origin.status, StatusCode::FORBIDDEN);
    let rating = portal
        .post(&format!("{dispute}/rating"), &[("score", "5")], &[])
        .await;
    assert_eq!(rating.status, StatusCode::FORBIDDEN);
    let after = portal
        .redress
        .messages()
        .of_dispute("DSP-1")
        .await
        .unwrap()
        .len();
    assert_eq!(after, before, "nothing was kept");
    // The same form with its token is taken.
    let taken = portal
        .post(
            &format!("{dispute}/replies"),
            &[("csrf", &csrf), ("text", "with its token")],
            &[("sec-fetch-site", "same-origin")],
        )
        .await;
    assert_eq!(taken.status, StatusCode::SEE_OTHER, "{}", taken.body);
    portal.stop().await;
}

#[tokio::test]
async fn a_customer_rates_a_resolved_dispute_4_and_sees_it() {
    let portal = Portal::start(Fixture::Audit).await;
    let acme = portal.link("C-ACME", Some("DSP-1")).await;
    let dispute = format!("{acme}/disputes/DSP-1");
    let csrf = portal.get(&dispute).await.csrf();

    // Not while it is open: no form, and a rating sent anyway is refused.
    let open = portal.get(&dispute).await;
    assert!(!open.body.contains("name=\"score\""), "no rating form yet");
    let early = portal
        .post(
            &format!("{dispute}/rating"),
            &[("csrf", &csrf), ("score", "4")],
            &[],
        )
        .await;
    assert_eq!(early.status, StatusCode::CONFLICT, "{}", early.body);

    let credit_note = portal.resolve_with_a_credit_note("DSP-1", 2, "50.00").await;
    let resolved = portal.get(&dispute).await;
    assert!(
        resolved.body.contains(">Resolved</strong>"),
        "{}",
        resolved.body
    );
    // What was decided, with its document: the customer's own credit note as PDF.
    let decided = resolved.section("decided");
    assert!(decided.contains("Credit note: USD 50.00"), "{decided}");
    let href = format!("{acme}/documents/credit-notes/{credit_note}.pdf");
    assert!(decided.contains(&format!("href=\"{href}\"")), "{decided}");
    let pdf = portal.get(&href).await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert_eq!(pdf.headers["content-type"], "application/pdf");
    // Not another customer's.
    let sora = portal.link("C-SORA", None).await;
    let not_theirs = portal
        .get(&format!("{sora}/documents/credit-notes/{credit_note}.pdf"))
        .await;
    assert_eq!(not_theirs.status, StatusCode::NOT_FOUND);

    // Five buttons, one click.
    let rating = resolved.section("rating");
    assert_eq!(rating.matches("name=\"score\"").count(), 5, "{rating}");
    assert!(rating.contains("4: Satisfied"), "{rating}");
    let rated = portal
        .post(
            &format!("{dispute}/rating"),
            &[
                ("csrf", &csrf),
                ("comment", "Quick and clear."),
                ("score", "4"),
            ],
            &[],
        )
        .await;
    assert_eq!(rated.status, StatusCode::SEE_OTHER, "{}", rated.body);
    assert_eq!(rated.location(), format!("{dispute}?done=rated#rating"));
    let after = portal.get(&rated.location().replace("#rating", "")).await;
    let shown = after.section("rating");
    assert!(
        shown.contains("You rated how we handled this dispute 4 out of 5."),
        "{shown}"
    );
    assert!(shown.contains("Quick and clear."), "{shown}");
    assert!(
        !shown.contains("name=\"score\""),
        "the form is gone: {shown}"
    );
    assert_eq!(
        portal
            .redress
            .portal()
            .rating(
                &portal
                    .redress
                    .portal()
                    .enter(acme.trim_start_matches("/portal/"))
                    .await
                    .unwrap(),
                "DSP-1"
            )
            .await
            .unwrap(),
        Some((4, "Quick and clear.".to_owned()))
    );
    portal.stop().await;
}

#[tokio::test]
async fn a_customer_opens_a_dispute_on_their_invoice_and_a_wrong_form_names_each_field() {
    let portal = Portal::start(Fixture::Audit).await;
    let acme = portal.link("C-ACME", None).await;
    let form = portal.get(&format!("{acme}/disputes/new")).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert!(
        form.body.contains("<option value=\"INV-A3\""),
        "{}",
        form.body
    );
    assert!(
        !form.body.contains("INV-S"),
        "only their invoices: {}",
        form.body
    );
    let csrf = form.csrf();

    let wrong = portal
        .post(
            &format!("{acme}/disputes"),
            &[
                ("csrf", &csrf),
                ("invoice", "INV-S1"),
                ("line", "two"),
                ("amount", "lots"),
                ("words", ""),
            ],
            &[],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.title().starts_with("Error: "), "{}", wrong.title());
    for (field, words) in [
        ("invoice", "Choose the invoice you dispute"),
        ("line", "Enter the line number as a whole number"),
        ("reason-overcharged", "Choose why you dispute the invoice"),
        ("amount", "Enter the amount you dispute, such as 120.50"),
        ("words", "Tell us in your own words what is wrong"),
    ] {
        assert!(
            wrong
                .body
                .contains(&format!("<li><a href=\"#{field}\">{words}")),
            "{field}: {}",
            wrong.body
        );
    }
    assert!(
        wrong.body.contains("value=\"two\""),
        "what was typed is kept"
    );

    // A line the invoice does not have is named by the service's check.
    let no_line = portal
        .post(
            &format!("{acme}/disputes"),
            &[
                ("csrf", &csrf),
                ("invoice", "INV-A3"),
                ("line", "99"),
                ("reason", "wrong_price"),
                ("amount", "10"),
                ("words", "Line 99?"),
            ],
            &[],
        )
        .await;
    assert_eq!(no_line.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        no_line
            .body
            .contains("<li><a href=\"#line\">Invoice INV-A3 has no line 99"),
        "{}",
        no_line.body
    );

    let opened = portal
        .post(
            &format!("{acme}/disputes"),
            &[
                ("csrf", &csrf),
                ("invoice", "INV-A3"),
                ("line", "1"),
                ("reason", "duplicate"),
                ("amount", "1,000.00"),
                ("words", "March hosting is on INV-A2 too."),
            ],
            &[],
        )
        .await;
    assert_eq!(opened.status, StatusCode::SEE_OTHER, "{}", opened.body);
    let location = opened.location().to_owned();
    assert!(
        location.starts_with(&format!("{acme}/disputes/DSP-"))
            && location.ends_with("?done=opened"),
        "{location}"
    );
    let id = location
        .trim_start_matches(&format!("{acme}/disputes/"))
        .trim_end_matches("?done=opened")
        .to_owned();
    let page = portal.get(&location).await;
    assert!(
        page.body.contains("Your dispute was opened."),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("You disputed USD 1,000.00 of invoice INV-A3, line 1"),
        "{}",
        page.body
    );
    let kept = portal.redress.disputes().get(&id).await.unwrap().unwrap();
    assert_eq!(kept.customer_id, "C-ACME");
    assert_eq!(kept.channel, "portal");
    assert_eq!(kept.claimed.amount, dec("1000.00"));
    let home = portal.get(&acme).await;
    assert!(
        home.body
            .contains(&format!("href=\"{acme}/disputes/{id}\""))
    );
    portal.stop().await;
}

#[tokio::test]
async fn a_customer_accepts_an_arrears_correction_by_choosing_a_separate_invoice_and_their_ledger_shows_it()
 {
    let portal = Portal::start(Fixture::HalfPrice).await;
    let redress = &portal.redress;
    let case = portal.arrears_case_of("C-HALV").await;
    let bakery = portal.link("C-HALV", None).await;
    // Not shown before the business offers it.
    let before = portal.get(&bakery).await;
    assert!(!before.body.contains(&case), "{}", before.body);
    let hidden = portal.get(&format!("{bakery}/corrections/{}", case)).await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    portal.offer_correction(&case).await;

    let home = portal.get(&bakery).await;
    let correction = format!("{bakery}/corrections/{}", case);
    assert!(
        home.body.contains("Corrections waiting for your choice"),
        "{}",
        home.body
    );
    assert!(
        home.body.contains(&format!("href=\"{correction}\"")),
        "{}",
        home.body
    );
    assert!(
        home.body.contains("Correction of EUR 864.00"),
        "{}",
        home.body
    );
    let page = portal.get(&correction).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains("We are sorry: we billed you less"),
        "{}",
        page.body
    );
    let items = page.section("items");
    assert!(
        items.contains("EUR 720.00") && items.contains("EUR 144.00"),
        "{items}"
    );
    assert!(items.contains("EUR 864.00"), "{items}");
    let csrf = page.csrf();

    // Instalments need a count from 2 to 12.
    let too_many = portal
        .post(
            &format!("{correction}/choice"),
            &[
                ("csrf", &csrf),
                ("option", "payment_plan"),
                ("instalments", "13"),
            ],
            &[],
        )
        .await;
    assert_eq!(too_many.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        too_many.body.contains("<li><a href=\"#instalments\">"),
        "{}",
        too_many.body
    );

    let chosen = portal
        .post(
            &format!("{correction}/choice"),
            &[("csrf", &csrf), ("option", "separate_invoice")],
            &[],
        )
        .await;
    assert_eq!(chosen.status, StatusCode::SEE_OTHER, "{}", chosen.body);
    assert_eq!(chosen.location(), format!("{correction}?done=chosen"));
    let settled = redress.cases().get(&case).await.unwrap().unwrap();
    let invoice = settled
        .document_id
        .clone()
        .expect("an arrears invoice was issued");
    let after = portal.get(chosen.location()).await;
    assert!(
        after.body.contains("Your choice was carried out"),
        "{}",
        after.body
    );
    let billed = after.section("billed");
    assert!(
        billed.contains("We issued a separate invoice for it."),
        "{billed}"
    );
    let href = format!("{bakery}/documents/invoices/{invoice}.pdf");
    assert!(billed.contains(&format!("href=\"{href}\"")), "{billed}");
    let pdf = portal.get(&href).await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert!(pdf.body.starts_with("%PDF"));
    assert!(!after.body.contains("name=\"option\""), "no more choosing");

    // The customer's ledger shows the arrears invoice, for the whole amount.
    let ledger = redress.books().ledger("C-HALV").await.unwrap().unwrap();
    let entry = ledger
        .entries
        .iter()
        .find(|e| e.document == invoice)
        .expect("the arrears invoice is in the ledger");
    assert_eq!(entry.kind, EntryKind::Invoice);

    // Choosing again is refused: it is settled.
    let again = portal
        .post(
            &format!("{correction}/choice"),
            &[("csrf", &csrf), ("option", "next_invoice")],
            &[],
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    portal.stop().await;
}

#[tokio::test]
async fn a_customer_accepts_one_of_two_options_offered_and_their_ledger_shows_its_credit_note() {
    let portal = Portal::start(Fixture::Audit).await;
    let redress = &portal.redress;
    portal.investigate("DSP-1").await;
    let credit_note = portal
        .offer("DSP-1", ResolutionKind::CreditNote, "50.00")
        .await;
    let account_credit = portal
        .offer("DSP-1", ResolutionKind::AccountCredit, "45.00")
        .await;
    // Offered: nothing is posted yet, and the dispute waits for the customer.
    let dispute = redress.disputes().get("DSP-1").await.unwrap().unwrap();
    assert_eq!(dispute.status, DisputeStatus::AwaitingCustomer);
    let ledger_before = redress.books().ledger("C-ACME").await.unwrap().unwrap();
    assert!(
        !ledger_before
            .entries
            .iter()
            .any(|e| e.kind == EntryKind::CreditNote),
        "nothing posted before the customer accepts"
    );

    let acme = portal.link("C-ACME", Some("DSP-1")).await;
    let path = format!("{acme}/disputes/DSP-1");
    let page = portal.get(&path).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let offers = page.section("offer");
    assert!(offers.contains("Our offer"), "{offers}");
    assert!(
        offers.contains("choose the one that suits you best"),
        "{offers}"
    );
    assert!(offers.contains("Credit note: USD 50.00"), "{offers}");
    assert!(
        offers.contains("Credit on your account: USD 45.00"),
        "{offers}"
    );
    assert_eq!(offers.matches(">Accept this<").count(), 2, "{offers}");
    assert!(offers.contains("Decline the offer"), "{offers}");
    assert!(
        page.section("next").contains("We have made you an offer"),
        "what to do next is answer the offer: {}",
        page.body
    );

    let csrf = page.csrf();
    let accepted = portal
        .post(
            &format!("{path}/offers/{credit_note}/accept"),
            &[("csrf", &csrf)],
            &[],
        )
        .await;
    assert_eq!(accepted.status, StatusCode::SEE_OTHER, "{}", accepted.body);
    assert_eq!(accepted.location(), format!("{path}?done=accepted#decided"));
    let after = portal.get(&format!("{path}?done=accepted")).await;
    assert!(
        after.body.contains("We have carried out what you accepted"),
        "{}",
        after.body
    );
    assert!(
        !after.body.contains("id=\"offer\""),
        "nothing left to choose"
    );
    let decided = after.section("decided");
    assert!(decided.contains("Credit note: USD 50.00"), "{decided}");
    assert!(decided.contains("(PDF)"), "its document: {decided}");

    // Carried out: the credit note is in the customer's ledger; the other option is declined,
    // the dispute resolved, and each step is in the dispute's history.
    let accepted = redress
        .books()
        .resolution(&credit_note)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(accepted.status, ResolutionStatus::Applied);
    assert!(accepted.answered_at.is_some());
    let document = accepted.document_id.clone().expect("a credit note issued");
    let ledger = redress.books().ledger("C-ACME").await.unwrap().unwrap();
    let entry = ledger
        .entries
        .iter()
        .find(|e| e.document == document)
        .expect("the credit note is in the ledger");
    assert_eq!(entry.kind, EntryKind::CreditNote);
    let other = redress
        .books()
        .resolution(&account_credit)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(other.status, ResolutionStatus::Declined);
    assert!(
        !ledger
            .entries
            .iter()
            .any(|e| e.kind == EntryKind::AccountCredit),
        "the option not chosen gave nothing"
    );
    let dispute = redress.disputes().get("DSP-1").await.unwrap().unwrap();
    assert_eq!(dispute.status, DisputeStatus::Resolved);
    let events = redress.disputes().history("DSP-1").await.unwrap();
    let answered: Vec<(&str, &str)> = events
        .iter()
        .map(|e| &e.event)
        .filter(|e| e.entity == "resolution" && e.actor == "customer:C-ACME")
        .map(|e| (e.entity_id.as_str(), e.action.as_str()))
        .collect();
    assert_eq!(
        answered,
        vec![
            (credit_note.as_str(), "accepted"),
            (account_credit.as_str(), "declined")
        ]
    );

    // Accepting again, or the other option now, is refused with what happened, and changes
    // nothing.
    let again = portal
        .post(
            &format!("{path}/offers/{account_credit}/accept"),
            &[("csrf", &csrf)],
            &[],
        )
        .await;
    assert_eq!(
        again.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        again.body
    );
    assert!(
        again
            .body
            .contains("This offer can no longer be accepted or declined"),
        "{}",
        again.body
    );
    let ledger_again = redress.books().ledger("C-ACME").await.unwrap().unwrap();
    assert_eq!(ledger_again.entries.len(), ledger.entries.len());
    portal.stop().await;
}

#[tokio::test]
async fn a_customer_declines_the_offer_saying_why_and_the_dispute_goes_back_to_the_agent() {
    let portal = Portal::start(Fixture::Audit).await;
    let redress = &portal.redress;
    portal.investigate("DSP-1").await;
    let option = portal
        .offer("DSP-1", ResolutionKind::CreditNote, "50.00")
        .await;
    let acme = portal.link("C-ACME", Some("DSP-1")).await;
    let path = format!("{acme}/disputes/DSP-1");
    let page = portal.get(&path).await;
    let offers = page.section("offer");
    assert!(
        offers.contains("If you accept it, we carry it out at once"),
        "{offers}"
    );

    let why = "The whole line was billed twice, not half of it.";
    let declined = portal
        .post(
            &format!("{path}/offers/decline"),
            &[("csrf", &page.csrf()), ("why", why)],
            &[],
        )
        .await;
    assert_eq!(declined.status, StatusCode::SEE_OTHER, "{}", declined.body);
    let after = portal.get(&format!("{path}?done=declined")).await;
    assert!(
        after.body.contains("We have your answer."),
        "{}",
        after.body
    );
    assert!(
        after.section("offer").contains("You declined our offer on"),
        "{}",
        after.body
    );
    assert!(!after.body.contains(">Accept this<"), "{}", after.body);

    let resolution = redress.books().resolution(&option).await.unwrap().unwrap();
    assert_eq!(resolution.status, ResolutionStatus::Declined);
    assert_eq!(resolution.answer_note.as_deref(), Some(why));
    assert_eq!(resolution.document_id, None, "nothing issued");
    let dispute = redress.disputes().get("DSP-1").await.unwrap().unwrap();
    assert_eq!(dispute.status, DisputeStatus::Investigating);
    // Their words are in the conversation, for the agent.
    let kept = redress.messages().of_dispute("DSP-1").await.unwrap();
    let last = kept.last().unwrap();
    assert_eq!(last.direction, Direction::FromCustomer);
    assert_eq!(last.body, why);
    let ledger = redress.books().ledger("C-ACME").await.unwrap().unwrap();
    assert!(
        !ledger
            .entries
            .iter()
            .any(|e| e.kind == EntryKind::CreditNote)
    );
    portal.stop().await;
}

#[tokio::test]
async fn an_offer_on_another_customers_dispute_cannot_be_accepted_through_a_link() {
    let portal = Portal::start(Fixture::Audit).await;
    let redress = &portal.redress;
    portal.investigate("DSP-1").await;
    let acmes = portal
        .offer("DSP-1", ResolutionKind::CreditNote, "50.00")
        .await;
    let sora = portal.link("C-SORA", Some("DSP-2")).await;
    let page = portal.get(&format!("{sora}/disputes/DSP-2")).await;
    let csrf = page.csrf();
    for path in [
        format!("{sora}/disputes/DSP-1/offers/{acmes}/accept"),
        format!("{sora}/disputes/DSP-2/offers/{acmes}/accept"),
        format!("{sora}/disputes/DSP-1/offers/decline"),
    ] {
        let refused = portal.post(&path, &[("csrf", &csrf)], &[]).await;
        assert_eq!(
            refused.status,
            StatusCode::NOT_FOUND,
            "{path}: {}",
            refused.body
        );
    }
    let untouched = redress.books().resolution(&acmes).await.unwrap().unwrap();
    assert_eq!(untouched.status, ResolutionStatus::Offered);
    assert_eq!(untouched.answered_at, None);
    portal.stop().await;
}
