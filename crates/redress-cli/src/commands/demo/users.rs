//! The demo's users: one of each role, with stable ids, and how each signs in.

use anyhow::Context;
use redress_domain::Role;
use redress_service::{Actor, Redress};

/// A demo user and how they sign in: to the desk with their email and password, to the API
/// with their token (both made for this demo and shown once).
#[derive(Debug, Clone)]
pub struct DemoUser {
    /// Who they are, as the service sees them (id, name and role).
    pub actor: Actor,
    /// Their email, which they sign in to the desk with.
    pub email: String,
    /// Their password for the desk.
    pub password: String,
    /// Their API token.
    pub token: String,
}

/// The demo's users, one of each role.
#[derive(Debug, Clone)]
pub struct DemoUsers {
    /// Takes and works disputes: `agent@demo.redress.test`.
    pub agent: DemoUser,
    /// Approves what is above an agent's allowance: `approver@demo.redress.test`.
    pub approver: DemoUser,
    /// Runs the audit and manages users: `admin@demo.redress.test`.
    pub admin: DemoUser,
    /// Reads everything, changes nothing: `auditor@demo.redress.test`.
    pub auditor: DemoUser,
}

impl DemoUsers {
    /// Every user, in the order the sign-ins are printed.
    pub fn all(&self) -> [&DemoUser; 4] {
        [&self.agent, &self.approver, &self.admin, &self.auditor]
    }
}

/// Who each demo user is: email (their id too), name and role.
const PEOPLE: [(&str, &str, Role); 4] = [
    ("agent@demo.redress.test", "Dana Agent", Role::Agent),
    (
        "approver@demo.redress.test",
        "Abel Approver",
        Role::Approver,
    ),
    ("admin@demo.redress.test", "Ada Admin", Role::Admin),
    ("auditor@demo.redress.test", "Otto Auditor", Role::Auditor),
];

/// Creates the demo's users, one per role, each with a fresh password for the desk and an API
/// token. `operator` is who runs the demo, for the audit log.
pub async fn create_demo_users(redress: &Redress, operator: &str) -> anyhow::Result<DemoUsers> {
    let people = redress.people();
    let mut made = Vec::with_capacity(PEOPLE.len());
    for (email, name, role) in PEOPLE {
        let password = redress_service::people::generate_password()
            .context("cannot make a password: the system gives no random bytes")?;
        let id = people
            .create_user(email, name, role, &password, operator)
            .await
            .with_context(|| format!("cannot create the demo user {email}"))?;
        let token = people
            .create_token(&id, operator)
            .await
            .with_context(|| format!("cannot give the demo user {email} a token"))?;
        let actor = Actor {
            id,
            name: name.to_owned(),
            role,
        };
        made.push(DemoUser {
            actor,
            email: email.to_owned(),
            password,
            token,
        });
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

/// The sign-ins as a table: who, their role, their password and their API token.
pub fn sign_in_table(users: &DemoUsers) -> String {
    let row = |email: &str, role: &str, password: &str, token: &str| {
        format!("  {email:<27} {role:<9} {password:<28} {token}\n")
    };
    let mut table = row("sign in as", "role", "password", "API token");
    for user in users.all() {
        table.push_str(&row(
            &user.email,
            user.actor.role.as_str(),
            &user.password,
            &user.token,
        ));
    }
    table
}
