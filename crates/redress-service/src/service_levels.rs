//! Where a dispute stands against the service levels promised: its facts (opened, the
//! customer told it was received, first answered, resolved, and the spans it waited on the
//! customer) read from its history in the audit log, counted in the business calendar by the
//! domain's `service_level` rules.

use crate::error::ServiceError;
use redress_domain::audit_log::AuditEvent;
use redress_domain::service_level::{
    DisputeFacts, PausedSpan, ServiceLevels, service_levels, update_due_at,
};
use redress_domain::{DisputeStatus, Timestamp};
use redress_storage::disputes::record::DisputeRow;
use redress_storage::this_moment;

impl crate::disputes::Disputes<'_> {
    /// Of the disputes `ids` (a page's), the service-level targets each was warned of and
    /// breached, by id, as the checker last found them.
    pub async fn service_level_marks(
        &self,
        ids: Vec<String>,
    ) -> Result<std::collections::HashMap<String, (Vec<String>, Vec<String>)>, ServiceError> {
        Ok(self
            .0
            .store
            .disputes()
            .service_level_marks(ids)
            .await?
            .into_iter()
            .map(|(id, warned, breached)| (id, (warned, breached)))
            .collect())
    }

    /// Which of `disputes` are due a status update, with when it fell due: open, not waiting
    /// on the customer, and nothing written to them for the business's
    /// [`update_every_days`](crate::messages::Communication::update_every_days) working days
    /// (since the dispute was opened, if nothing ever was).
    pub async fn updates_due(
        &self,
        disputes: &[DisputeRow],
    ) -> Result<std::collections::HashMap<String, Timestamp>, ServiceError> {
        let communication = &self.0.communication;
        let quiet: Vec<&DisputeRow> = disputes
            .iter()
            .filter(|d| d.status.is_open() && d.status != DisputeStatus::AwaitingCustomer)
            .collect();
        if communication.update_every_days == 0 || quiet.is_empty() {
            return Ok(Default::default());
        }
        let last: std::collections::HashMap<String, Timestamp> = self
            .0
            .store
            .messages()
            .last_written_to_customer(quiet.iter().map(|d| d.id.clone()).collect())
            .await?
            .into_iter()
            .collect();
        let now = this_moment();
        Ok(quiet
            .into_iter()
            .filter_map(|d| {
                let told = last.get(&d.id).copied().unwrap_or(d.created_at);
                let due = update_due_at(
                    &communication.calendar,
                    told,
                    communication.update_every_days,
                )?;
                (due <= now).then(|| (d.id.clone(), due))
            })
            .collect())
    }

    /// Where the dispute `id` stands now against the service levels promised; `None` when
    /// there is no such dispute.
    pub async fn service_levels(&self, id: &str) -> Result<Option<ServiceLevels>, ServiceError> {
        let Some(dispute) = self.get(id).await? else {
            return Ok(None);
        };
        let history = self.history(id).await?;
        let facts = facts_of(dispute.created_at, &history);
        let communication = &self.0.communication;
        Ok(Some(service_levels(
            &communication.policy,
            &communication.calendar,
            &facts,
            this_moment(),
        )))
    }
}

/// When a running dispute's service levels, as `levels` are at `now`, are next to be checked:
/// when the next of them changes by time alone, and at least every [`LONGEST_WAIT`].
fn next_check_at(levels: &ServiceLevels, now: Timestamp) -> Timestamp {
    let longest = now.checked_add(LONGEST_WAIT).unwrap_or(Timestamp::MAX);
    levels.next_change.map_or(longest, |next| next.min(longest))
}

/// When the service levels of a dispute opened at `opened_at` are first to be checked: nothing
/// about them can change before its first target's warning (what happens to a dispute only
/// meets or pauses a target), so its timer waits until then rather than being checked at
/// once.
pub(crate) fn first_check_at(
    policy: &redress_domain::service_level::ServicePolicy,
    calendar: &redress_domain::service_level::BusinessCalendar,
    opened_at: Timestamp,
) -> Timestamp {
    let levels = service_levels(
        policy,
        calendar,
        &DisputeFacts::opened(opened_at),
        opened_at,
    );
    next_check_at(&levels, opened_at)
}

/// A dispute's service-level facts from its history: acknowledged when its acknowledgement was
/// delivered or it was moved to acknowledged, first answered when an agent's message to the
/// customer was queued, resolved when it was moved to resolved, and paused while it waited on
/// the customer.
pub fn facts_of(opened_at: Timestamp, history: &[AuditEvent]) -> DisputeFacts {
    let mut facts = DisputeFacts::opened(opened_at);
    let mut waiting_since: Option<Timestamp> = None;
    for event in history {
        let Ok(at) = event.event.occurred_at.parse::<Timestamp>() else {
            continue;
        };
        let after: serde_json::Value = event
            .event
            .after
            .as_deref()
            .and_then(|a| serde_json::from_str(a).ok())
            .unwrap_or_default();
        let first = |slot: &mut Option<Timestamp>| {
            if slot.is_none() {
                *slot = Some(at);
            }
        };
        match event.event.action.as_str() {
            "message_delivered" if after["kind"] == "acknowledgement" => {
                first(&mut facts.acknowledged_at)
            }
            "message_queued" if event.event.actor != "system" => {
                first(&mut facts.first_responded_at)
            }
            "status_changed" => {
                let status = after["status"].as_str().and_then(DisputeStatus::from_name);
                if let Some(since) = waiting_since.take()
                    && let Ok(span) = PausedSpan::new(since, at)
                {
                    facts.paused.push(span);
                }
                match status {
                    Some(DisputeStatus::Acknowledged) => first(&mut facts.acknowledged_at),
                    Some(DisputeStatus::AwaitingCustomer) => waiting_since = Some(at),
                    Some(DisputeStatus::Resolved) => first(&mut facts.resolved_at),
                    _ => {}
                }
            }
            _ => {}
        }
    }
    if let Some(since) = waiting_since {
        facts.paused.push(PausedSpan::ongoing(since));
    }
    facts
}

/// How long a claimed timer is put off while its check runs (a checker that dies leaves it to
/// be claimed again then), and the longest a running dispute goes unchecked.
const CHECK_LEASE: jiff::SignedDuration = jiff::SignedDuration::from_secs(300);
const LONGEST_WAIT: jiff::SignedDuration = jiff::SignedDuration::from_secs(3600);

impl crate::disputes::Disputes<'_> {
    /// Checks the service levels of the disputes whose timers are due at `now` (at most
    /// `limit`): each target newly past its warning is an event, each newly breached one an
    /// event that escalates the dispute with a note telling its assignee and an approver; each
    /// timer is set for its next warning or due moment, or stopped once the dispute is no
    /// longer open. Gives how many disputes were checked. The timers are in the database, so a
    /// restart loses none: `redress serve` runs this every half minute.
    pub async fn check_service_levels(
        &self,
        now: Timestamp,
        limit: u32,
    ) -> Result<usize, ServiceError> {
        use redress_domain::service_level::{Stage, TargetState};
        use redress_storage::disputes::service_levels::{Checked, claim_due, record};
        let store = &self.0.store;
        let until = now.checked_add(CHECK_LEASE).unwrap_or(Timestamp::MAX);
        let timers = store.perform(claim_due(now, until, limit)).await?;
        let checked = timers.len();
        if timers.is_empty() {
            return Ok(0);
        }
        let approver = store
            .people()
            .users()
            .await?
            .into_iter()
            .filter(|u| u.disabled_at.is_none() && u.role == redress_domain::Role::Approver)
            .map(|u| u.id)
            .min();
        let communication = &self.0.communication;
        for timer in timers {
            let Some(dispute) = store.disputes().get(&timer.dispute_id).await? else {
                continue;
            };
            let history = self.history(&dispute.id).await?;
            let facts = facts_of(dispute.created_at, &history);
            let levels =
                service_levels(&communication.policy, &communication.calendar, &facts, now);
            let mut found = Checked {
                dispute_id: dispute.id.clone(),
                warn: Vec::new(),
                breach: Vec::new(),
                next_check_at: None,
                notify: dispute
                    .assignee
                    .iter()
                    .chain(approver.iter())
                    .cloned()
                    .collect(),
            };
            for stage in Stage::ALL {
                match levels.state(stage) {
                    TargetState::Warning { due_at } => {
                        found.warn.push((stage.as_str().to_owned(), due_at))
                    }
                    TargetState::Breached { due_at, .. } => {
                        found.breach.push((stage.as_str().to_owned(), due_at))
                    }
                    _ => {}
                }
            }
            let all_met = Stage::ALL
                .iter()
                .all(|s| matches!(levels.state(*s), TargetState::Met { .. }));
            found.next_check_at = if !dispute.status.is_open() || all_met {
                None
            } else {
                Some(next_check_at(&levels, now))
            };
            store.perform(record(timer, found)).await?;
        }
        Ok(checked)
    }
}
