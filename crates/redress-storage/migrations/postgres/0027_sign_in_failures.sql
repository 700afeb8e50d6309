-- Sign-in lock-out (issue 19): the wrong passwords an email was tried with, in the run that
-- counts (from `first_failed_at`), and until when signing in with it is refused once there
-- were too many. Kept per email as typed, known or not, so that a lock says nothing about
-- whether the account exists; cleared when someone signs in with it.
CREATE TABLE sign_in_failures (
    email TEXT PRIMARY KEY,
    failures INTEGER NOT NULL CHECK (failures >= 0),
    first_failed_at TEXT NOT NULL,
    locked_until TEXT
);
