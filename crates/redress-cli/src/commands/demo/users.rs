//! The demo's users: one of each role, with stable ids, and how each signs in.

use anyhow::Context;
use redress_domain::Role;
use redress_service::{Actor, Redress};

/// A demo user and the secret they sign in with.
#[derive(Debug, Clone)]
pub struct DemoUser {
    /// Who they are, as the service sees them (id, name and role).
    pub actor: Actor,
    /// What they sign in with: for now an API token, shown once.
    pub secret: String,
}

/// The demo's users, one of each role.
#[derive(Debug, Clone)]
pub struct DemoUsers {
    /// Takes and works disputes: `demo-agent`.
    pub agent: DemoUser,
    /// Approves what is above an agent's allowance: `demo-approver`.
    pub approver: DemoUser,
    /// Runs the audit and manages users: `demo-admin`.
    pub admin: DemoUser,
    /// Reads everything, changes nothing: `demo-auditor`.
    pub auditor: DemoUser,
}

impl DemoUsers {
    /// Every user, in the order the sign-ins are printed.
    pub fn all(&self) -> [&DemoUser; 4] {
        [&self.agent, &self.approver, &self.admin, &self.auditor]
    }
}

/// Who each demo user is: id, name and role.
const PEOPLE: [(&str, &str, Role); 4] = [
    ("demo-agent", "Dana Agent", Role::Agent),
    ("demo-approver", "Abel Approver", Role::Approver),
    ("demo-admin", "Ada Admin", Role::Admin),
    ("demo-auditor", "Otto Auditor", Role::Auditor),
];

/// Creates the demo's users, one per role, each with an API token (the one place that decides
/// how they sign in: when sign-in with passwords comes, only this changes). `operator` is who
/// runs the demo, for the audit log.
pub async fn create_demo_users(redress: &Redress, operator: &str) -> anyhow::Result<DemoUsers> {
    let mut made = Vec::with_capacity(PEOPLE.len());
    for (id, name, role) in PEOPLE {
        let secret = redress
            .people()
            .create_user_with_token(id, name, role, operator)
            .await
            .with_context(|| format!("cannot create the demo user {id}"))?;
        let actor = Actor {
            id: id.to_owned(),
            name: name.to_owned(),
            role,
        };
        made.push(DemoUser { actor, secret });
    }
    let [agent, approver, admin, auditor]: [DemoUser; 4] =
        made.try_into().expect("one user per entry of PEOPLE");
    Ok(DemoUsers {
        agent,
        approver,
        admin,
        auditor,
    })
}

/// The sign-ins as a table: who, their role and their secret.
pub fn sign_in_table(users: &DemoUsers) -> String {
    let mut table = format!("  {:<17} {:<10} {}\n", "sign in as", "role", "API token");
    for user in users.all() {
        table.push_str(&format!(
            "  {:<17} {:<10} {}\n",
            user.actor.id,
            user.actor.role.as_str(),
            user.secret
        ));
    }
    table
}
