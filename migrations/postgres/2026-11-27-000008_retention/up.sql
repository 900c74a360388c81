-- Retention (helper RETENTION). Each widget's retention period in months (1 to 36; 0 means
-- "never", which the privacy form allows only with a warning). Existing widgets get 12.
ALTER TABLE widget_privacy ADD COLUMN retention_months INTEGER NOT NULL DEFAULT 12;

-- One row per run of a scheduled job: when it was due and ran, what it removed (counts per
-- kind as JSON, never ids or values), how it ended. A row with status 'running' is also the
-- claim that keeps other nodes off the job until lease_until (renewed after every batch).
-- (job, due_at) is unique: the same scheduled tick runs once, whichever node fires first.
CREATE TABLE job_runs (
    id BIGINT PRIMARY KEY NOT NULL,
    job TEXT NOT NULL,
    cause TEXT NOT NULL,
    due_at TIMESTAMP NOT NULL,
    started_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP,
    lease_until TIMESTAMP NOT NULL,
    node TEXT NOT NULL,
    status TEXT NOT NULL,
    removed TEXT NOT NULL DEFAULT '{}',
    error TEXT
);
CREATE UNIQUE INDEX job_runs_due ON job_runs (job, due_at);
CREATE INDEX job_runs_started ON job_runs (job, started_at);

-- What the expiry looks up: a widget's conversations by last activity, withdrawn consents
-- by widget, technical details by age.
CREATE INDEX conversations_widget_updated ON conversations (widget_id, updated_at);
CREATE INDEX consents_widget_withdrawn ON consents (widget_id, withdrawn_at);
CREATE INDEX conversation_meta_created ON conversation_meta (created_at);
