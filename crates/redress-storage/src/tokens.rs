//! API tokens: created with a role, shown once, stored only as their SHA-256.

use crate::audit_log::{append, now};
use crate::sql::params;
use crate::{StorageError, Store};
use redress_domain::audit_log::NewEvent;
use sha2::{Digest, Sha256};

pub use redress_domain::role::Role;

/// Who a request's token says it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The token's name, as written in the audit log.
    pub name: String,
    /// Its role.
    pub role: Role,
}

fn sha256_hex(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl Store {
    /// Creates a token for `name` with `role`; gives the token, which is never stored or shown
    /// again.
    pub async fn create_token(
        &self,
        name: &str,
        role: Role,
        actor: &str,
    ) -> Result<String, StorageError> {
        // 256 bits from the operating system's cryptographic generator: a token is a password.
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|e| StorageError::NoRandomness(e.to_string()))?;
        let secret: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        let token = format!("rdr_{secret}");
        let id = crate::new_id("TOK");
        let (name, actor) = (name.to_owned(), actor.to_owned());
        let hash = sha256_hex(&token);
        self.write(move |db| {
            db.execute(
                "INSERT INTO api_tokens (id, name, role, token_sha256, created_at) VALUES (?, ?, ?, ?, ?)",
                params![&id, &name, role.as_str(), &hash, &now()],
            )?;
            let after =
                serde_json::json!({"id": id, "name": name, "role": role.as_str()}).to_string();
            append(
                db,
                NewEvent {
                    occurred_at: now(),
                    actor,
                    entity: "api_token".to_owned(),
                    entity_id: id,
                    action: "created".to_owned(),
                    before: None,
                    after: Some(after),
                },
            )
        })
        .await?;
        Ok(token)
    }

    /// The caller a token belongs to, if it is a live token.
    pub async fn caller(&self, token: &str) -> Result<Option<Caller>, StorageError> {
        let hash = sha256_hex(token);
        let row = self
            .run(move |db| {
                db.row(
                    "SELECT name, role FROM api_tokens WHERE token_sha256 = ? AND revoked_at IS NULL",
                    params![&hash],
                    |row| Ok((row.string(0)?, row.string(1)?)),
                )
            })
            .await?;
        Ok(row.and_then(|(name, role)| {
            Some(Caller {
                name,
                role: Role::from_name(&role)?,
            })
        }))
    }
}
