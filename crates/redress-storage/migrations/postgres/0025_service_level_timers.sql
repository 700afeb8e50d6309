-- Service levels (issue 18): each dispute taken has a timer, kept here so that it survives a
-- restart: when its service levels must next be looked at (a warning or a due moment), and
-- which targets were already warned of and breached, so that each is said once.
CREATE TABLE service_level_timers (
    dispute_id TEXT PRIMARY KEY REFERENCES disputes (id),
    next_check_at TEXT NOT NULL,
    warned TEXT NOT NULL DEFAULT '',
    breached TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL
);
CREATE INDEX service_level_timers_due ON service_level_timers (next_check_at);
