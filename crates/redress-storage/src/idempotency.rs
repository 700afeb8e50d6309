//! Idempotency keys: what a retried POST needs to get its first answer instead of acting twice.

use crate::audit_log::now;
use crate::{StorageError, Store, placeholders};

/// What the store knows of a key when a request claims it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The key is new: the request goes ahead, and [`Store::finish_idempotent`] records its
    /// response.
    Fresh,
    /// The same request was answered before: here is the answer.
    Replay {
        /// The HTTP status.
        status: u16,
        /// The response body (JSON).
        response: String,
    },
    /// The key was used with a different request.
    Mismatch,
    /// The same request is being handled right now.
    InProgress,
}

impl Store {
    /// Claims `key` for `caller`'s request whose body hashes to `request_sha256`.
    pub async fn claim_idempotency_key(
        &self,
        caller: &str,
        key: &str,
        request_sha256: &str,
    ) -> Result<Claim, StorageError> {
        let b = self.backend;
        // The primary key makes the insert the arbiter between concurrent requests.
        let inserted = sqlx::query(placeholders(
            b,
            "INSERT INTO idempotency_keys (caller, key, request_sha256, created_at) VALUES (?, ?, ?, ?) \
             ON CONFLICT (caller, key) DO NOTHING",
        ))
        .bind(caller.to_owned())
        .bind(key.to_owned())
        .bind(request_sha256.to_owned())
        .bind(now())
        .execute(self.pool())
        .await?
        .rows_affected();
        if inserted == 1 {
            return Ok(Claim::Fresh);
        }
        let (hash, status, response): (String, Option<i64>, Option<String>) = sqlx::query_as(placeholders(
            b,
            "SELECT request_sha256, status, response FROM idempotency_keys WHERE caller = ? AND key = ?",
        ))
        .bind(caller.to_owned())
        .bind(key.to_owned())
        .fetch_one(self.pool())
        .await?;
        Ok(match (hash == request_sha256, status, response) {
            (false, _, _) => Claim::Mismatch,
            (true, Some(status), Some(response)) => Claim::Replay {
                status: status as u16,
                response,
            },
            (true, _, _) => Claim::InProgress,
        })
    }

    /// Records the response to a claimed key; `None` releases the key (the request failed in a
    /// way worth retrying).
    pub async fn finish_idempotent(
        &self,
        caller: &str,
        key: &str,
        outcome: Option<(u16, &str)>,
    ) -> Result<(), StorageError> {
        let b = self.backend;
        match outcome {
            Some((status, response)) => {
                sqlx::query(placeholders(b, "UPDATE idempotency_keys SET status = ?, response = ? WHERE caller = ? AND key = ?"))
                    .bind(i64::from(status))
                    .bind(response.to_owned())
                    .bind(caller.to_owned())
                    .bind(key.to_owned())
                    .execute(self.pool())
                    .await?;
            }
            None => {
                sqlx::query(placeholders(
                    b,
                    "DELETE FROM idempotency_keys WHERE caller = ? AND key = ?",
                ))
                .bind(caller.to_owned())
                .bind(key.to_owned())
                .execute(self.pool())
                .await?;
            }
        }
        Ok(())
    }
}
