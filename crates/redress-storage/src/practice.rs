//! Practice sessions, their cases and the trainees' answers, and the playbooks (issue 20).
//!
//! Practice lives apart from the real books: its works write only the `practice_*` tables and
//! `playbooks`, and record no event of practice in the audit log (a playbook, which is the
//! business's real guidance, is recorded). A case keeps its billing records in the form a
//! contract snapshot keeps them, so that the audit reads it as it reads a real contract.

use crate::billing::contract_data;
use crate::engine::sql::{Db, Row, params};
use crate::engine::stored::{Cells, StoredDecimal, new_id, this_moment};
use crate::engine::{StorageError, Store, Work};
use redress_audit::FindingKind;
use redress_domain::audit_log::NewEvent;
use redress_domain::billing::{BillingData, Dispute, DisputeReason};
use redress_domain::recommendation::{DisputeHistory, Recommended, Relationship};
use redress_domain::resolution::ResolutionKind;
use redress_domain::{Decimal, Language, Timestamp, timestamp_text};
use redress_practice::{Answer, AnsweredFinding, ExpectedFinding, ModelAnswer};

/// Where a practice case came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseSource {
    /// A dispute resolved in the database, anonymised.
    ResolvedDispute,
    /// An invoice the latest audit found wrong, anonymised, disputed as its customer would.
    AuditFinding,
    /// Made up, with an error planted.
    Generated,
}

impl CaseSource {
    /// Its name in the API and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ResolvedDispute => "resolved_dispute",
            Self::AuditFinding => "audit_finding",
            Self::Generated => "generated",
        }
    }

    fn from_name(name: &str) -> Option<Self> {
        [Self::ResolvedDispute, Self::AuditFinding, Self::Generated]
            .into_iter()
            .find(|s| s.as_str() == name)
    }
}

/// A case to keep: what the trainee sees and the answer the records support.
#[derive(Debug, Clone)]
pub struct NewPracticeCase {
    /// Where it came from.
    pub source: CaseSource,
    /// The disputed invoice's contract (practice ids, nothing of the real customer).
    pub data: BillingData,
    /// The dispute, on `data`'s invoice.
    pub dispute: Dispute,
    /// The customer's language.
    pub language: Language,
    /// The customer's relationship, as the recommendation weighs it.
    pub relationship: Relationship,
    /// Their other disputes.
    pub history: DisputeHistory,
    /// The answer the records support.
    pub model: ModelAnswer,
}

/// A practice case as kept, whole.
#[derive(Debug, Clone)]
pub struct PracticeCase {
    /// Its id (`PRC-…`).
    pub id: String,
    /// Its session.
    pub session_id: String,
    /// Who practises on it.
    pub trainee_id: String,
    /// Its place in the session, from 1.
    pub position: u32,
    /// The case itself.
    pub case: NewPracticeCase,
    /// The disputed invoice's id (a practice id).
    pub invoice_id: String,
    /// When the trainee first opened it.
    pub first_opened_at: Option<Timestamp>,
    /// Their answer, once given.
    pub answer: Option<GivenAnswer>,
}

/// An answer given, with its points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GivenAnswer {
    /// The answer.
    pub answer: Answer,
    /// Its points out of 100.
    pub points: u32,
    /// When.
    pub answered_at: Timestamp,
}

/// One case of a session, in brief.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseInBrief {
    /// Its id.
    pub id: String,
    /// Its place, from 1.
    pub position: u32,
    /// Where it came from.
    pub source: CaseSource,
    /// The customer's reason.
    pub reason: DisputeReason,
    /// The points of its answer and when, once answered.
    pub answered: Option<(u32, Timestamp)>,
}

/// A practice session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PracticeSession {
    /// Its id (`PRS-…`).
    pub id: String,
    /// Who practises.
    pub trainee_id: String,
    /// Who started it.
    pub started_by: String,
    /// When.
    pub created_at: Timestamp,
    /// Its cases, in order.
    pub cases: Vec<CaseInBrief>,
}

/// Why an answer was not kept.
#[derive(Debug, thiserror::Error)]
pub enum AnswerRefused {
    /// No such case.
    #[error("there is no practice case {0}")]
    UnknownCase(String),
    /// The case was answered already: an answer is given once.
    #[error("practice case {0} was answered already")]
    AnsweredAlready(String),
    /// The database failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// Starts a session of `cases` for `trainee_id`, by `started_by`.
pub fn start(
    trainee_id: &str,
    started_by: &str,
    cases: Vec<NewPracticeCase>,
) -> Work<PracticeSession, StorageError> {
    let (trainee_id, started_by) = (trainee_id.to_owned(), started_by.to_owned());
    Work::new(move |db| {
        let id = new_id("PRS");
        let created_at = this_moment();
        db.execute(
            "INSERT INTO practice_sessions (id, trainee_id, started_by, created_at) \
             VALUES (?, ?, ?, ?)",
            params![&id, &trainee_id, &started_by, &timestamp_text(created_at)],
        )?;
        let mut briefs = Vec::with_capacity(cases.len());
        for (i, case) in cases.into_iter().enumerate() {
            let position = i as u32 + 1;
            let case_id = new_id("PRC");
            keep_case(db, &case_id, &id, position, &case)?;
            briefs.push(CaseInBrief {
                id: case_id,
                position,
                source: case.source,
                reason: case.dispute.reason,
                answered: None,
            });
        }
        Ok(PracticeSession {
            id,
            trainee_id,
            started_by,
            created_at,
            cases: briefs,
        })
    })
}

#[derive(serde::Serialize, serde::Deserialize)]
struct StoredFinding {
    kind: String,
    line_no: Option<u32>,
    amount: StoredDecimal,
}

fn findings_text(findings: impl Iterator<Item = (FindingKind, Option<u32>, Decimal)>) -> String {
    let stored: Vec<StoredFinding> = findings
        .map(|(kind, line_no, amount)| StoredFinding {
            kind: kind.as_str().to_owned(),
            line_no,
            amount: StoredDecimal(amount),
        })
        .collect();
    serde_json::to_string(&stored).expect("findings write as JSON")
}

fn read_findings(
    cells: &Cells<'_>,
    i: usize,
    column: &'static str,
) -> Result<Vec<(FindingKind, Option<u32>, Decimal)>, StorageError> {
    let stored: Vec<StoredFinding> = cells.json(i, column, "a JSON list of findings")?;
    stored
        .into_iter()
        .map(|f| {
            let kind = FindingKind::from_name(&f.kind)
                .ok_or_else(|| cells.unreadable(column, &f.kind, "a finding's kind"))?;
            Ok((kind, f.line_no, f.amount.0))
        })
        .collect()
}

fn keep_case(
    db: &mut dyn Db,
    id: &str,
    session_id: &str,
    position: u32,
    case: &NewPracticeCase,
) -> Result<(), StorageError> {
    let dispute = &case.dispute;
    let invoice = case.data.invoice(dispute.invoice);
    let records = contract_data::encode_contract(&case.data, invoice.contract)?;
    let model = &case.model;
    let (resolution, amount) = match model.resolution {
        Recommended::CreditNote(a) => ("credit_note", Some(a)),
        Recommended::Goodwill(a) => ("goodwill", Some(a)),
        Recommended::Reject => ("reject", None),
    };
    let lines: Vec<String> = model.lines_to_explain.iter().map(u32::to_string).collect();
    let r = &case.relationship;
    let h = &case.history;
    db.execute(
        "INSERT INTO practice_cases (id, session_id, position, source, records, invoice_id, \
         line_no, reason, claimed_amount, opened_on, narrative, language, tenure_days, revenue, \
         invoices_due, paid_on_time, disputes_last_year, disputes_last_quarter, \
         rejected_last_year, model_findings, model_resolution, model_amount, model_message, \
         lines_to_explain) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        params![
            id,
            session_id,
            i64::from(position),
            case.source.as_str(),
            &records[..],
            case.data.invoice_id(dispute.invoice),
            dispute.line_no.map(i64::from),
            dispute.reason.as_str(),
            &dispute.claimed_amount.to_string(),
            &dispute.opened_on.to_string(),
            &dispute.narrative,
            case.language.tag(),
            r.tenure_days,
            &r.revenue.to_string(),
            i64::from(r.invoices_due),
            i64::from(r.paid_on_time),
            i64::from(h.last_year),
            i64::from(h.last_quarter),
            i64::from(h.rejected_last_year),
            &findings_text(model.findings.iter().map(|f| (f.kind, f.line_no, f.amount))),
            resolution,
            &amount.map(|a| a.to_string()),
            &model.message,
            &lines.join(","),
        ],
    )?;
    Ok(())
}

const CASE_COLUMNS: &str = "c.id, c.session_id, s.trainee_id, c.position, c.source, c.records, \
     c.invoice_id, c.line_no, c.reason, c.claimed_amount, c.opened_on, c.narrative, c.language, \
     c.tenure_days, c.revenue, c.invoices_due, c.paid_on_time, c.disputes_last_year, \
     c.disputes_last_quarter, c.rejected_last_year, c.model_findings, c.model_resolution, \
     c.model_amount, c.model_message, c.lines_to_explain, c.first_opened_at, a.findings, \
     a.resolution, a.amount, a.message, a.took_seconds, a.points, a.answered_at";

const CASE_FROM: &str = "practice_cases c JOIN practice_sessions s ON s.id = c.session_id \
     LEFT JOIN practice_answers a ON a.case_id = c.id";

fn count(
    cells: &Cells<'_>,
    row: &dyn Row,
    i: usize,
    column: &'static str,
) -> Result<u32, StorageError> {
    let n = row.int(i)?;
    u32::try_from(n).map_err(|_| cells.unreadable(column, &n.to_string(), "a count"))
}

fn read_case(row: &dyn Row) -> Result<PracticeCase, StorageError> {
    let id = row.string(0)?;
    let cells = Cells::new(row, "practice_cases", id.as_str());
    let data = contract_data::decode_contract(row.blob(5)?)?;
    let invoice_id = row.string(6)?;
    let invoice = data
        .invoice_ids
        .get(&invoice_id)
        .map(redress_domain::InvoiceIdx)
        .ok_or_else(|| {
            cells.unreadable(
                "invoice_id",
                &invoice_id,
                "an invoice of the case's records",
            )
        })?;
    let currency = data.invoice(invoice).currency;
    let language = cells.parsed(12, "language", "a language tag", Language::from_tag)?;
    let line_no = row
        .opt_int(7)?
        .map(|n| {
            u32::try_from(n)
                .map_err(|_| cells.unreadable("line_no", &n.to_string(), "a line number"))
        })
        .transpose()?;
    let dispute = Dispute {
        invoice,
        line_no,
        opened_on: cells.date(10, "opened_on")?,
        reason: cells.parsed(8, "reason", "a dispute reason", DisputeReason::from_name)?,
        claimed_amount: cells.amount(9, "claimed_amount")?,
        narrative: row.string(11)?,
    };
    let relationship = Relationship {
        tenure_days: row.int(13)?,
        revenue: cells.amount(14, "revenue")?,
        invoices_due: count(&cells, row, 15, "invoices_due")?,
        paid_on_time: count(&cells, row, 16, "paid_on_time")?,
    };
    let history = DisputeHistory {
        last_year: count(&cells, row, 17, "disputes_last_year")?,
        last_quarter: count(&cells, row, 18, "disputes_last_quarter")?,
        rejected_last_year: count(&cells, row, 19, "rejected_last_year")?,
    };
    let findings = read_findings(&cells, 20, "model_findings")?
        .into_iter()
        .map(|(kind, line_no, amount)| ExpectedFinding {
            kind,
            line_no,
            amount,
        })
        .collect();
    let model_amount = cells.opt_amount(22, "model_amount")?;
    let resolution = match (row.string(21)?.as_str(), model_amount) {
        ("credit_note", Some(a)) => Recommended::CreditNote(a),
        ("goodwill", Some(a)) => Recommended::Goodwill(a),
        ("reject", None) => Recommended::Reject,
        (other, _) => {
            return Err(cells.unreadable(
                "model_resolution",
                other,
                "credit_note or goodwill with an amount, or reject without",
            ));
        }
    };
    let lines_text = row.string(24)?;
    let lines_to_explain = lines_text
        .split(',')
        .filter(|n| !n.is_empty())
        .map(|n| {
            n.parse::<u32>().map_err(|_| {
                cells.unreadable("lines_to_explain", &lines_text, "line numbers, with commas")
            })
        })
        .collect::<Result<Vec<u32>, _>>()?;
    let model = ModelAnswer {
        findings,
        resolution,
        currency,
        language,
        lines_to_explain,
        message: row.string(23)?,
    };
    let answer = match row.opt_string(26)? {
        None => None,
        Some(_) => {
            let answered = Cells::new(row, "practice_answers", id.as_str());
            let findings = read_findings(&answered, 26, "findings")?
                .into_iter()
                .map(|(kind, line_no, amount)| AnsweredFinding {
                    kind,
                    line_no,
                    amount,
                })
                .collect();
            Some(GivenAnswer {
                answer: Answer {
                    findings,
                    resolution: answered.parsed(
                        27,
                        "resolution",
                        "a resolution kind",
                        ResolutionKind::from_name,
                    )?,
                    amount: answered.opt_amount(28, "amount")?,
                    message: row.string(29)?,
                    took_seconds: u64::try_from(row.int(30)?.max(0)).unwrap_or(0),
                },
                points: count(&answered, row, 31, "points")?,
                answered_at: answered.timestamp(32, "answered_at")?,
            })
        }
    };
    Ok(PracticeCase {
        id: id.clone(),
        session_id: row.string(1)?,
        trainee_id: row.string(2)?,
        position: count(&cells, row, 3, "position")?,
        case: NewPracticeCase {
            source: cells.parsed(4, "source", "a case source", CaseSource::from_name)?,
            data,
            dispute,
            language,
            relationship,
            history,
            model,
        },
        invoice_id,
        first_opened_at: cells.opt_timestamp(25, "first_opened_at")?,
        answer,
    })
}

fn case_in(db: &mut dyn Db, id: &str) -> Result<Option<PracticeCase>, StorageError> {
    db.row(
        &format!("SELECT {CASE_COLUMNS} FROM {CASE_FROM} WHERE c.id = ?"),
        params![id],
        read_case,
    )
}

/// Notes that the trainee opened case `id` (the first time only: the time taken counts from
/// it), and gives the case as it then is; `None` when there is no such case.
pub fn open(id: &str) -> Work<Option<PracticeCase>, StorageError> {
    let id = id.to_owned();
    Work::new(move |db| {
        db.execute(
            "UPDATE practice_cases SET first_opened_at = ? WHERE id = ? AND first_opened_at IS NULL",
            params![&timestamp_text(this_moment()), &id],
        )?;
        case_in(db, &id)
    })
}

/// Keeps `answer` to case `id` with its `points`, once: a second answer is refused.
pub fn answer(id: &str, answer: Answer, points: u32) -> Work<GivenAnswer, AnswerRefused> {
    let id = id.to_owned();
    Work::new(move |db| {
        let exists = db.row(
            "SELECT 1 FROM practice_cases WHERE id = ?",
            params![&id],
            |row| row.int(0),
        )?;
        if exists.is_none() {
            return Err(AnswerRefused::UnknownCase(id));
        }
        let answered_at = this_moment();
        let kept = db.execute(
            "INSERT INTO practice_answers (case_id, findings, resolution, amount, message, \
             took_seconds, points, answered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) \
             ON CONFLICT (case_id) DO NOTHING",
            params![
                &id,
                &findings_text(
                    answer
                        .findings
                        .iter()
                        .map(|f| (f.kind, f.line_no, f.amount))
                ),
                answer.resolution.as_str(),
                &answer.amount.map(|a| a.to_string()),
                &answer.message,
                i64::try_from(answer.took_seconds).unwrap_or(i64::MAX),
                i64::from(points.min(100)),
                &timestamp_text(answered_at),
            ],
        )?;
        if kept == 0 {
            return Err(AnswerRefused::AnsweredAlready(id));
        }
        Ok(GivenAnswer {
            answer,
            points,
            answered_at,
        })
    })
}

/// A playbook: the business's guidance for one dispute reason, as one version has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Playbook {
    /// The reason it guides.
    pub reason: DisputeReason,
    /// Its version, from 1.
    pub version: u32,
    /// Its steps, in order.
    pub steps: Vec<String>,
    /// Who wrote this version.
    pub written_by: String,
    /// When.
    pub written_at: Timestamp,
}

fn read_playbook(row: &dyn Row) -> Result<Playbook, StorageError> {
    let reason_text = row.string(0)?;
    let cells = Cells::new(row, "playbooks", reason_text.as_str());
    Ok(Playbook {
        reason: cells.parsed(0, "reason", "a dispute reason", DisputeReason::from_name)?,
        version: count(&cells, row, 1, "version")?,
        steps: row
            .string(2)?
            .lines()
            .map(str::to_owned)
            .filter(|s| !s.is_empty())
            .collect(),
        written_by: row.string(3)?,
        written_at: cells.timestamp(4, "written_at")?,
    })
}

/// Writes a new version of the playbook of `reason` with `steps` (each one line), by `actor`,
/// recorded in the audit log.
pub fn write_playbook(
    reason: DisputeReason,
    steps: Vec<String>,
    actor: &str,
) -> Work<Playbook, StorageError> {
    let actor = actor.to_owned();
    Work::new(move |db| {
        let latest = db
            .row(
                "SELECT MAX(version) FROM playbooks WHERE reason = ?",
                params![reason.as_str()],
                |row| row.opt_int(0),
            )?
            .flatten()
            .unwrap_or(0);
        let version = latest + 1;
        let written_at = this_moment();
        let text = steps.join("\n");
        db.execute(
            "INSERT INTO playbooks (reason, version, steps, written_by, written_at) \
             VALUES (?, ?, ?, ?, ?)",
            params![
                reason.as_str(),
                version,
                &text,
                &actor,
                &timestamp_text(written_at)
            ],
        )?;
        db.events().push(NewEvent {
            occurred_at: timestamp_text(written_at),
            actor: actor.clone(),
            entity: "playbook".to_owned(),
            entity_id: reason.as_str().to_owned(),
            action: "written".to_owned(),
            before: None,
            after: Some(serde_json::json!({ "version": version, "steps": steps }).to_string()),
        });
        Ok(Playbook {
            reason,
            version: u32::try_from(version).unwrap_or(u32::MAX),
            steps,
            written_by: actor,
            written_at,
        })
    })
}

/// Practice and playbooks, read: `store.practice()`.
#[derive(Debug, Clone, Copy)]
pub struct Practice<'s>(pub(crate) &'s Store);

impl Practice<'_> {
    /// The practice case `id`, whole.
    pub async fn case(&self, id: &str) -> Result<Option<PracticeCase>, StorageError> {
        let id = id.to_owned();
        self.0.run(move |db| case_in(db, &id)).await
    }

    /// The session `id` with its cases in brief.
    pub async fn session(&self, id: &str) -> Result<Option<PracticeSession>, StorageError> {
        let id = id.to_owned();
        self.0.run(move |db| session_in(db, &id)).await
    }

    /// The sessions of `trainee_id`, newest first.
    pub async fn sessions_of(
        &self,
        trainee_id: &str,
    ) -> Result<Vec<PracticeSession>, StorageError> {
        let trainee = trainee_id.to_owned();
        self.0
            .run(move |db| {
                let ids = db.rows(
                    "SELECT id FROM practice_sessions WHERE trainee_id = ? \
                     ORDER BY created_at DESC, id DESC",
                    params![&trainee],
                    |row| row.string(0),
                )?;
                let mut sessions = Vec::with_capacity(ids.len());
                for id in ids {
                    if let Some(session) = session_in(db, &id)? {
                        sessions.push(session);
                    }
                }
                Ok(sessions)
            })
            .await
    }

    /// Every answer's points, by trainee, oldest first: `(trainee, answered at, points)`.
    pub async fn scores(&self) -> Result<Vec<(String, Timestamp, u32)>, StorageError> {
        self.0
            .run(|db| {
                db.rows(
                    "SELECT s.trainee_id, a.answered_at, a.points FROM practice_answers a \
                     JOIN practice_cases c ON c.id = a.case_id \
                     JOIN practice_sessions s ON s.id = c.session_id \
                     ORDER BY a.answered_at, a.case_id",
                    &[],
                    |row| {
                        let trainee = row.string(0)?;
                        let cells = Cells::new(row, "practice_answers", trainee.as_str());
                        Ok((
                            trainee.clone(),
                            cells.timestamp(1, "answered_at")?,
                            count(&cells, row, 2, "points")?,
                        ))
                    },
                )
            })
            .await
    }

    /// Up to `limit` disputes resolved or closed, the ones practice is drawn from first, in
    /// an order drawn from `seed`: their ids.
    pub async fn resolved_disputes(
        &self,
        limit: u32,
        seed: u64,
    ) -> Result<Vec<String>, StorageError> {
        self.0
            .run(move |db| {
                let ids = db.rows(
                    "SELECT id FROM disputes WHERE status IN ('resolved', 'closed') \
                     ORDER BY id LIMIT 2000",
                    &[],
                    |row| row.string(0),
                )?;
                Ok(sample(ids, limit, seed))
            })
            .await
    }

    /// Up to `limit` invoice lines the latest audit found overcharged and no dispute is
    /// about, in an order drawn from `seed`: `(invoice, line)`.
    pub async fn overcharged_lines(
        &self,
        limit: u32,
        seed: u64,
    ) -> Result<Vec<(String, u32)>, StorageError> {
        self.0
            .run(move |db| {
                let lines = db.rows(
                    "SELECT DISTINCT f.invoice_id, f.line_no FROM audit_findings f \
                     WHERE f.impact_sign = 1 AND f.invoice_id IS NOT NULL \
                     AND f.line_no IS NOT NULL AND f.kind <> 'overpayment' \
                     AND NOT EXISTS (SELECT 1 FROM disputes d WHERE d.invoice_id = f.invoice_id) \
                     ORDER BY f.invoice_id, f.line_no LIMIT 2000",
                    &[],
                    |row| {
                        let invoice = row.string(0)?;
                        let line = row.int(1)?;
                        Ok((invoice, u32::try_from(line).unwrap_or(0)))
                    },
                )?;
                Ok(sample(
                    lines.into_iter().filter(|(_, line)| *line > 0).collect(),
                    limit,
                    seed,
                ))
            })
            .await
    }

    /// The playbook of `reason` as its newest version has it; `None` when none was written.
    pub async fn playbook(&self, reason: DisputeReason) -> Result<Option<Playbook>, StorageError> {
        self.0
            .run(move |db| {
                db.row(
                    "SELECT reason, version, steps, written_by, written_at FROM playbooks \
                     WHERE reason = ? ORDER BY version DESC LIMIT 1",
                    params![reason.as_str()],
                    read_playbook,
                )
            })
            .await
    }

    /// Every version of the playbook of `reason`, newest first.
    pub async fn playbook_history(
        &self,
        reason: DisputeReason,
    ) -> Result<Vec<Playbook>, StorageError> {
        self.0
            .run(move |db| {
                db.rows(
                    "SELECT reason, version, steps, written_by, written_at FROM playbooks \
                     WHERE reason = ? ORDER BY version DESC",
                    params![reason.as_str()],
                    read_playbook,
                )
            })
            .await
    }
}

fn session_in(db: &mut dyn Db, id: &str) -> Result<Option<PracticeSession>, StorageError> {
    let Some((trainee_id, started_by, created_at)) = db.row(
        "SELECT trainee_id, started_by, created_at FROM practice_sessions WHERE id = ?",
        params![id],
        |row| {
            let cells = Cells::new(row, "practice_sessions", id);
            Ok((
                row.string(0)?,
                row.string(1)?,
                cells.timestamp(2, "created_at")?,
            ))
        },
    )?
    else {
        return Ok(None);
    };
    let cases = db.rows(
        "SELECT c.id, c.position, c.source, c.reason, a.points, a.answered_at \
         FROM practice_cases c LEFT JOIN practice_answers a ON a.case_id = c.id \
         WHERE c.session_id = ? ORDER BY c.position",
        params![id],
        |row| {
            let case_id = row.string(0)?;
            let cells = Cells::new(row, "practice_cases", case_id.as_str());
            let answered = match row.opt_int(4)? {
                Some(points) => Some((
                    u32::try_from(points)
                        .map_err(|_| cells.unreadable("points", &points.to_string(), "points"))?,
                    cells.timestamp(5, "answered_at")?,
                )),
                None => None,
            };
            Ok(CaseInBrief {
                position: count(&cells, row, 1, "position")?,
                source: cells.parsed(2, "source", "a case source", CaseSource::from_name)?,
                reason: cells.parsed(3, "reason", "a dispute reason", DisputeReason::from_name)?,
                answered,
                id: case_id,
            })
        },
    )?;
    Ok(Some(PracticeSession {
        id: id.to_owned(),
        trainee_id,
        started_by,
        created_at,
        cases,
    }))
}

/// Up to `limit` of `items`, drawn in an order `seed` decides.
fn sample<T>(mut items: Vec<T>, limit: u32, seed: u64) -> Vec<T> {
    fastrand::Rng::with_seed(seed).shuffle(&mut items);
    items.truncate(limit as usize);
    items
}
