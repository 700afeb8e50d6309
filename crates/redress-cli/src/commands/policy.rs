//! The business's approval policy, as `redress serve` and `redress resolutions` take it.

use crate::InvalidInput;
use clap::Args;
use redress_domain::resolution::{ApprovalPolicy, ResolutionKind};
use redress_domain::{Decimal, parse_decimal};

/// Who may resolve what on their own.
#[derive(Args, Debug, Clone)]
pub struct PolicyArgs {
    /// The most an agent may give on one resolution without an approver, in the invoice's
    /// currency (approvers and admins have no limit).
    #[arg(
        long,
        env = "REDRESS_AGENT_LIMIT",
        default_value = "100",
        value_name = "AMOUNT"
    )]
    pub agent_limit: String,
    /// Kinds of resolution that always need an approver, whoever proposes them, comma
    /// separated (`none` for none).
    #[arg(
        long,
        env = "REDRESS_APPROVAL_FOR",
        default_value = "write_off",
        value_name = "KINDS"
    )]
    pub approval_for: String,
}

impl PolicyArgs {
    /// The approval policy the options set.
    pub fn policy(&self) -> anyhow::Result<ApprovalPolicy> {
        let agent_limit = parse_decimal(&self.agent_limit)
            .ok()
            .filter(|limit| *limit >= Decimal::ZERO)
            .ok_or_else(|| {
                refuse(format!(
                    "--agent-limit {}: expected an amount of zero or more, like 250.00",
                    self.agent_limit
                ))
            })?;
        let mut always = Vec::new();
        for name in self
            .approval_for
            .split(',')
            .map(str::trim)
            .filter(|n| !n.is_empty() && *n != "none")
        {
            let kind = ResolutionKind::from_name(name).ok_or_else(|| {
                let names: Vec<&str> = ResolutionKind::ALL.iter().map(|k| k.as_str()).collect();
                refuse(format!(
                    "--approval-for: `{name}` is not a kind of resolution (expected some of {}, or none)",
                    names.join(", ")
                ))
            })?;
            always.push(kind);
        }
        Ok(ApprovalPolicy {
            agent_limit,
            always,
        })
    }
}

/// Says what was wrong with the input, and fails as wrong input does (exit code 2).
pub fn refuse(message: impl std::fmt::Display) -> anyhow::Error {
    eprintln!("error: {message}");
    InvalidInput.into()
}
