//! The business's approval policy, as `redress serve` and `redress resolutions` take it.

use crate::InvalidInput;
use clap::Args;
use redress_domain::resolution::{ApprovalPolicy, ResolutionKind};
use redress_domain::{Currency, Decimal, parse_decimal};

/// Who may resolve what on their own.
#[derive(Args, Debug, Clone)]
pub struct PolicyArgs {
    /// The most an agent may give on one dispute without an approver, per currency, in its
    /// major units, comma separated: `USD=250,EUR=230,JPY=38000`. Currencies not named keep
    /// the built-in allowance (about 100 US dollars' worth in 36 common currencies; nothing in
    /// the others). Approvers and admins have no limit.
    #[arg(
        long,
        env = "REDRESS_AGENT_LIMIT",
        default_value = "",
        value_name = "CURRENCY=AMOUNT,…"
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
        let mut policy = ApprovalPolicy::default();
        for item in self
            .agent_limit
            .split(',')
            .map(str::trim)
            .filter(|i| !i.is_empty())
        {
            let (code, amount) = item.split_once('=').ok_or_else(|| {
                refuse(format!(
                    "--agent-limit {item}: expected CURRENCY=AMOUNT, like USD=250 (one number \
                     for every currency would allow 250 KWD as much as 250 JPY)"
                ))
            })?;
            let currency = Currency::from_code(code.trim())
                .map_err(|e| refuse(format!("--agent-limit {item}: {e}")))?;
            let limit = parse_decimal(amount.trim())
                .ok()
                .filter(|limit| *limit >= Decimal::ZERO && currency.holds(*limit))
                .ok_or_else(|| {
                    refuse(format!(
                        "--agent-limit {item}: expected an amount of {currency} of zero or more, \
                         with at most {} decimals",
                        currency.minor_unit()
                    ))
                })?;
            policy.agent_limits.insert(currency, limit);
        }
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
        policy.always = always;
        Ok(policy)
    }
}

/// Says what was wrong with the input, and fails as wrong input does (exit code 2).
pub fn refuse(message: impl std::fmt::Display) -> anyhow::Error {
    eprintln!("error: {message}");
    InvalidInput.into()
}
