//! Idempotency keys: what a retried POST needs to get its first answer instead of acting twice.

use crate::audit_log::now;
use crate::sql::params;
use crate::{StorageError, Store};

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
        let (caller, key, request) = (caller.to_owned(), key.to_owned(), request_sha256.to_owned());
        self.write(move |db| {
            // The primary key makes the insert the arbiter between concurrent requests.
            let inserted = db.execute(
                "INSERT INTO idempotency_keys (caller, key, request_sha256, created_at) VALUES (?, ?, ?, ?) \
                 ON CONFLICT (caller, key) DO NOTHING",
                params![&caller, &key, &request, &now()],
            )?;
            if inserted == 1 {
                return Ok(Claim::Fresh);
            }
            let (hash, status, response) = db
                .row(
                    "SELECT request_sha256, status, response FROM idempotency_keys WHERE caller = ? AND key = ?",
                    params![&caller, &key],
                    |row| Ok((row.string(0)?, row.opt_int(1)?, row.opt_string(2)?)),
                )?
                .ok_or_else(|| StorageError::Corrupt("an idempotency key vanished".into()))?;
            Ok(match (hash == request, status, response) {
                (false, _, _) => Claim::Mismatch,
                (true, Some(status), Some(response)) => Claim::Replay {
                    status: status as u16,
                    response,
                },
                (true, _, _) => Claim::InProgress,
            })
        })
        .await
    }

    /// Records the response to a claimed key; `None` releases the key (the request failed in a
    /// way worth retrying).
    pub async fn finish_idempotent(
        &self,
        caller: &str,
        key: &str,
        outcome: Option<(u16, &str)>,
    ) -> Result<(), StorageError> {
        let (caller, key) = (caller.to_owned(), key.to_owned());
        let outcome = outcome.map(|(status, response)| (status, response.to_owned()));
        self.write(move |db| match outcome {
            Some((status, response)) => db.execute(
                "UPDATE idempotency_keys SET status = ?, response = ? WHERE caller = ? AND key = ?",
                params![i64::from(status), &response, &caller, &key],
            ),
            None => db.execute(
                "DELETE FROM idempotency_keys WHERE caller = ? AND key = ?",
                params![&caller, &key],
            ),
        })
        .await?;
        Ok(())
    }
}
