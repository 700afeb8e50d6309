//! Where a dispute stands against the service levels promised: its facts (opened, the
//! customer told it was received, first answered, resolved, and the spans it waited on the
//! customer) read from its history in the audit log, counted in the business calendar by the
//! domain's `service_level` rules.

use crate::error::ServiceError;
use redress_domain::audit_log::AuditEvent;
use redress_domain::service_level::{DisputeFacts, PausedSpan, ServiceLevels, service_levels};
use redress_domain::{DisputeStatus, Timestamp};
use redress_storage::this_moment;

impl crate::disputes::Disputes<'_> {
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
