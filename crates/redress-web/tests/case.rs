//! A case worked from its page over HTTP, as a browser without scripts does: what the page
//! shows (the customer's words, the disputed line, a finding's evidence, the recommendation),
//! a note and a status move recorded, and a credit note above an agent's allowance that waits
//! for a second person, whom the proposer cannot stand in for. Runs on the backend
//! `REDRESS_TEST_BACKEND` names.

mod desk;

use desk::{Desk, attachment_form, between};
use reqwest::StatusCode;

const AGENT: &str = "ana@example.com";
const APPROVER: &str = "olu@example.com";

#[tokio::test]
async fn the_case_page_shows_the_customers_words_the_disputed_line_a_findings_evidence_and_the_recommendation()
 {
    let desk = Desk::start().await;
    let session = desk.sign_in(AGENT).await;
    let case = desk.get("/disputes/DSP-1", &session).await;
    assert_eq!(case.status, StatusCode::OK);
    let body = &case.body;
    assert_eq!(body.matches("<h1>").count(), 1, "one heading");
    assert!(
        body.contains("March hosting was already on INV-A3, we paid it once"),
        "the customer's words: {body}"
    );
    let disputed_row =
        between(body, "<tr class=\"is-disputed\">", "</tr>").expect("the disputed line is marked");
    assert!(disputed_row.contains("Hosting, March"), "{disputed_row}");
    assert!(disputed_row.contains("<strong class=\"tag tag--bad\">Disputed</strong>"));
    assert!(
        disputed_row.contains("<td class=\"num\"><data value=\"100.00\">USD 100.00</data></td>"),
        "money right-aligned with its currency: {disputed_row}"
    );
    let finding =
        between(body, "<section class=\"finding\">", "</section>").expect("a finding is shown");
    assert!(
        finding.contains("The same charge billed twice"),
        "{finding}"
    );
    assert!(finding.contains("<details>"), "{finding}");
    assert!(finding.contains("<summary>Evidence: "), "{finding}");
    let recommendation = between(body, "id=\"recommendation-heading\"", "</section>").unwrap();
    assert!(
        recommendation.contains("Credit note of USD 100.00"),
        "{recommendation}"
    );
    assert!(recommendation.contains("Why:"), "{recommendation}");
    // The checklist says where the case stands, in words.
    assert!(body.contains("Checklist: "), "{body}");
    assert!(body.contains("Next: Understand"), "{body}");
    desk.stop().await;
}

#[tokio::test]
async fn a_note_added_appears_in_the_timeline_and_a_status_move_is_recorded() {
    let desk = Desk::start().await;
    let session = desk.sign_in(AGENT).await;
    let case = desk.get("/disputes/DSP-3", &session).await;
    let csrf = case.csrf();
    assert!(
        case.body
            .contains("<option value=\"acknowledged\">Acknowledged</option>")
    );
    assert!(
        !case.body.contains("<option value=\"resolved\">"),
        "only the moves the lifecycle allows"
    );
    // An empty note is refused with the error summary, and nothing is added.
    let empty = desk
        .post(
            "/disputes/DSP-3/notes",
            Some(&session),
            &[("csrf", &csrf), ("kind", "note"), ("body", "  ")],
            &[],
        )
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.title().starts_with("Error: "), "{}", empty.title());
    assert!(
        empty
            .body
            .contains("<a href=\"#note-body\">Enter the note</a>")
    );
    let added = desk
        .post(
            "/disputes/DSP-3/notes",
            Some(&session),
            &[
                ("csrf", &csrf),
                ("kind", "note"),
                ("body", "Called the customer; they sent the remittance."),
            ],
            &[],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    assert_eq!(added.location(), "/disputes/DSP-3?done=note#timeline");
    let moved = desk
        .post(
            "/disputes/DSP-3/status",
            Some(&session),
            &[("csrf", &csrf), ("to", "acknowledged")],
            &[],
        )
        .await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.body);
    let case = desk.get(moved.location(), &session).await;
    let body = &case.body;
    assert!(body.contains("<div class=\"flash\" role=\"status\">Status moved.</div>"));
    let timeline = between(body, "<ol class=\"timeline\">", "</ol>").unwrap();
    assert!(
        timeline.contains("<strong class=\"tag\">Internal note</strong> Note, You (Ana Ruiz)"),
        "{timeline}"
    );
    assert!(timeline.contains("Called the customer; they sent the remittance."));
    let note_at = timeline.find("Internal note").unwrap();
    let moved_at = timeline.find("Status moved").expect("the move is recorded");
    assert!(note_at < moved_at, "oldest first: {timeline}");
    assert!(body.contains("<strong class=\"tag tag--info\">Acknowledged</strong>"));
    // A move the lifecycle does not allow is refused, with the summary.
    let refused = desk
        .post(
            "/disputes/DSP-3/status",
            Some(&session),
            &[("csrf", &csrf), ("to", "closed")],
            &[],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("There is a problem"));
    // Without its token, a form changes nothing.
    let forged = desk
        .post(
            "/disputes/DSP-3/status",
            Some(&session),
            &[("to", "investigating")],
            &[],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let stored = desk.redress.disputes().get("DSP-3").await.unwrap().unwrap();
    assert_eq!(stored.status.as_str(), "acknowledged");
    desk.stop().await;
}

#[tokio::test]
async fn an_agents_credit_note_above_their_allowance_waits_and_only_a_second_person_approves_it() {
    let desk = Desk::start().await;
    let agent = desk.sign_in(AGENT).await;
    let case = desk.get("/disputes/DSP-4", &agent).await;
    let csrf = case.csrf();
    let form = [
        ("csrf", csrf.as_str()),
        ("kind", "credit_note"),
        ("line-4", "150.00"),
        ("reason", "API calls were billed above the contract price."),
    ];
    // A preview saves nothing.
    let mut preview_form = form.to_vec();
    preview_form.push(("act", "preview"));
    let preview = desk
        .post(
            "/disputes/DSP-4/resolutions",
            Some(&agent),
            &preview_form,
            &[],
        )
        .await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    assert!(
        preview.body.contains("(nothing saved yet)"),
        "{}",
        preview.body
    );
    assert!(
        preview
            .body
            .contains("Credit note of <data value=\"150.00\">USD 150.00</data>")
    );
    assert!(preview.body.contains("approval by someone else"));
    assert!(
        preview.body.contains("value=\"150.00\""),
        "what was typed is kept"
    );
    assert!(
        desk.redress
            .books()
            .resolutions_of("DSP-4")
            .await
            .unwrap()
            .is_empty()
    );
    let mut send_form = form.to_vec();
    send_form.push(("act", "send"));
    let proposed = desk
        .post("/disputes/DSP-4/resolutions", Some(&agent), &send_form, &[])
        .await;
    assert_eq!(proposed.status, StatusCode::SEE_OTHER, "{}", proposed.body);
    assert_eq!(
        proposed.location(),
        "/disputes/DSP-4?done=proposed#resolutions"
    );
    let resolutions = desk.redress.books().resolutions_of("DSP-4").await.unwrap();
    assert_eq!(resolutions.len(), 1);
    let id = resolutions[0].id.clone();
    let as_agent = desk.get(proposed.location(), &agent).await;
    let body = &as_agent.body;
    assert!(body.contains("Waiting for approval"), "{body}");
    assert!(
        !body.contains(">Approve</button>"),
        "no Approve for the proposer"
    );
    assert!(
        body.contains("You proposed this resolution, so you cannot approve or refuse it"),
        "{body}"
    );
    // The proposer's forged approval is refused by the service.
    let forged = desk
        .post(
            &format!("/disputes/DSP-4/resolutions/{id}/approve"),
            Some(&agent),
            &[("csrf", &csrf)],
            &[],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "{}", forged.body);
    assert!(forged.body.contains("There is a problem"));
    assert!(
        forged.body.contains("cannot approve"),
        "the service's refusal is said: {}",
        forged.body
    );
    let still = desk.redress.books().resolution(&id).await.unwrap().unwrap();
    assert_eq!(still.status.as_str(), "pending_approval");
    // A second person, an approver, approves it.
    let approver = desk.sign_in(APPROVER).await;
    let as_approver = desk.get("/disputes/DSP-4", &approver).await;
    assert!(as_approver.body.contains(">Approve</button>"));
    let approved = desk
        .post(
            &format!("/disputes/DSP-4/resolutions/{id}/approve"),
            Some(&approver),
            &[("csrf", &as_approver.csrf())],
            &[],
        )
        .await;
    assert_eq!(approved.status, StatusCode::SEE_OTHER, "{}", approved.body);
    let case = desk.get(approved.location(), &approver).await;
    assert!(case.body.contains("Resolution approved and applied."));
    assert!(
        case.body
            .contains("<strong class=\"tag tag--ok\">Approved and applied</strong>"),
        "{}",
        case.body
    );
    assert!(case.body.contains("Resolution approved"));
    // The agent who proposed it reads who approved it by name, not by a user id.
    let as_agent = desk.get("/disputes/DSP-4", &agent).await;
    assert!(
        as_agent
            .body
            .contains("<dt>Decided by</dt><dd>Olu Approver"),
        "{}",
        as_agent.body
    );
    desk.stop().await;
}

#[tokio::test]
async fn a_file_attached_from_the_case_page_is_in_the_timeline_and_downloads_as_it_was_sent() {
    let desk = Desk::start().await;
    let session = desk.sign_in(AGENT).await;
    let case = desk.get("/disputes/DSP-3", &session).await;
    let csrf = case.csrf();
    let send = |csrf: Option<String>, name: &'static str, kind: &'static str| {
        let (content_type, body) = attachment_form(
            csrf.as_deref(),
            name,
            kind,
            b"Delivered 40 seats, not 50.\n",
        );
        desk.client
            .post(format!("{}/disputes/DSP-3/attachments", desk.base))
            .header("cookie", format!("redress_session={session}"))
            .header("content-type", content_type)
            .body(body)
            .send()
    };
    // Without its token the form is refused and nothing is attached.
    let forged = send(None, "note.txt", "text/plain").await.unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    // A type evidence does not come in is refused with the error summary, by the field.
    let wrong = send(Some(csrf.clone()), "tool.exe", "application/x-msdownload")
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let wrong = wrong.text().await.unwrap();
    assert!(wrong.contains("There is a problem"), "{wrong}");
    assert!(wrong.contains("href=\"#attachment-file\""), "{wrong}");
    let sent = send(Some(csrf.clone()), "delivery note.txt", "text/plain")
        .await
        .unwrap();
    assert_eq!(sent.status(), StatusCode::SEE_OTHER);
    let back = sent.headers()["location"].to_str().unwrap().to_owned();
    assert!(back.contains("done=attached"), "{back}");
    let case = desk.get("/disputes/DSP-3?done=attached", &session).await;
    assert!(case.body.contains("File attached."), "the flash says so");
    assert!(
        case.body.contains("delivery note.txt"),
        "the timeline lists it"
    );
    let link = between(&case.body, "href=\"/attachments/", "\"")
        .expect("a link to download it")
        .to_owned();
    let file = desk
        .get_with(&format!("/attachments/{link}"), Some(&session), &[])
        .await;
    assert_eq!(file.status, StatusCode::OK);
    assert_eq!(file.body, "Delivered 40 seats, not 50.\n");
    assert_eq!(file.headers["content-type"], "text/plain");
    let attached = desk.redress.disputes().attachments("DSP-3").await.unwrap();
    assert_eq!(
        attached.len(),
        1,
        "one file, the forged and wrong ones left out"
    );
    desk.stop().await;
}

#[tokio::test]
async fn a_colleague_asked_for_a_statement_finds_it_in_their_queue_and_their_answer_joins_the_case()
{
    let desk = Desk::start().await;
    let agent = desk.sign_in(AGENT).await;
    let csrf = desk.get("/disputes/DSP-3", &agent).await.csrf();
    let due = jiff::tz::TimeZone::UTC
        .to_datetime(jiff::Timestamp::now())
        .date()
        .tomorrow()
        .unwrap()
        .to_string();
    // A day gone by is refused by its field, and what was typed is kept.
    let late = desk
        .post(
            "/disputes/DSP-3/statements",
            Some(&agent),
            &[
                ("csrf", &csrf),
                ("asked_of", APPROVER),
                ("question", "Was P-01 late?"),
                ("due_on", "2020-01-01"),
            ],
            &[],
        )
        .await;
    assert_eq!(late.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(late.body.contains("href=\"#ask-due\""));
    assert!(late.body.contains("Was P-01 late?"));
    let asked = desk
        .post(
            "/disputes/DSP-3/statements",
            Some(&agent),
            &[
                ("csrf", &csrf),
                ("asked_of", APPROVER),
                ("question", "Was P-01 late?"),
                ("due_on", &due),
            ],
            &[],
        )
        .await;
    assert_eq!(asked.status, StatusCode::SEE_OTHER, "{}", asked.body);
    // It waits in the approver's queue.
    let approver = desk.sign_in(APPROVER).await;
    let queue = desk.get("/queue", &approver).await;
    assert!(
        queue.body.contains("Statements asked of you (1)"),
        "{}",
        queue.body
    );
    let requests = desk
        .redress
        .disputes()
        .statement_requests("DSP-3")
        .await
        .unwrap();
    let request = requests[0].id.clone();
    // The agent cannot give it for them.
    let forged = desk
        .post(
            &format!("/disputes/DSP-3/statements/{request}"),
            Some(&agent),
            &[("csrf", &csrf), ("body", "It was on time.")],
            &[],
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let theirs = desk.get("/disputes/DSP-3", &approver).await;
    assert!(theirs.body.contains("Give the statement"));
    let given = desk
        .post(
            &format!("/disputes/DSP-3/statements/{request}"),
            Some(&approver),
            &[
                ("csrf", &theirs.csrf()),
                ("body", "P-01 came in two days after the due date."),
            ],
            &[],
        )
        .await;
    assert_eq!(given.status, StatusCode::SEE_OTHER, "{}", given.body);
    let case = desk.get("/disputes/DSP-3", &agent).await;
    assert!(
        case.body
            .contains("P-01 came in two days after the due date.")
    );
    assert!(case.body.contains(">Given</strong>"));
    let notes = desk.redress.disputes().notes("DSP-3").await.unwrap();
    assert!(
        notes
            .iter()
            .any(|n| n.kind == redress_domain::NoteKind::Statement && n.author == APPROVER)
    );
    // Once given, it is not given again.
    let again = desk
        .post(
            &format!("/disputes/DSP-3/statements/{request}"),
            Some(&approver),
            &[("csrf", &theirs.csrf()), ("body", "Again.")],
            &[],
        )
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        !desk
            .get("/queue", &approver)
            .await
            .body
            .contains("Statements asked of you")
    );
    desk.stop().await;
}

#[tokio::test]
async fn an_agent_offers_a_credit_note_for_the_customer_to_accept_and_nothing_is_posted_until_then()
{
    let desk = Desk::start().await;
    let agent = desk.sign_in(AGENT).await;
    let case = desk.get("/disputes/DSP-4", &agent).await;
    let csrf = case.csrf();
    assert!(
        case.body.contains("Offer it to the customer to accept"),
        "{}",
        case.body
    );
    let form = [
        ("csrf", csrf.as_str()),
        ("kind", "credit_note"),
        ("line-4", "40.00"),
        ("reason", "API calls were billed above the contract price."),
        ("offer", "yes"),
    ];
    let mut preview_form = form.to_vec();
    preview_form.push(("act", "preview"));
    let preview = desk
        .post(
            "/disputes/DSP-4/resolutions",
            Some(&agent),
            &preview_form,
            &[],
        )
        .await;
    assert!(
        preview.body.contains(
            "offered to the customer as soon as it is sent, and applied when they accept it"
        ),
        "{}",
        preview.body
    );
    let mut send_form = form.to_vec();
    send_form.push(("act", "send"));
    let offered = desk
        .post("/disputes/DSP-4/resolutions", Some(&agent), &send_form, &[])
        .await;
    assert_eq!(offered.status, StatusCode::SEE_OTHER, "{}", offered.body);
    assert_eq!(
        offered.location(),
        "/disputes/DSP-4?done=offered#resolutions"
    );
    let page = desk.get(offered.location(), &agent).await;
    assert!(
        page.body
            .contains("Resolution offered: the customer accepts or declines it in the portal."),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("Offered, waiting for the customer"),
        "{}",
        page.body
    );
    let resolutions = desk.redress.books().resolutions_of("DSP-4").await.unwrap();
    assert_eq!(resolutions.len(), 1);
    assert_eq!(resolutions[0].status.as_str(), "offered");
    assert_eq!(resolutions[0].document_id, None, "no credit note yet");
    desk.stop().await;
}
