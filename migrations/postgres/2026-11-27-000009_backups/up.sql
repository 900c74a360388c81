-- Backups (helper BACKUP): one row per backup made or attempted (by the CLI, the daily job
-- or the admin page) with its verify results, for the admin page and the dashboard. File
-- names, sizes, times and fixed messages only; never data from the backup.
CREATE TABLE backup_runs (
    id BIGINT PRIMARY KEY NOT NULL,
    file_name TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    size_bytes BIGINT NOT NULL,
    backend TEXT NOT NULL,
    cause TEXT NOT NULL,
    ok BOOLEAN NOT NULL,
    error TEXT,
    verified_at TIMESTAMP,
    verify_ok BOOLEAN,
    verify_message TEXT
);
CREATE INDEX backup_runs_created ON backup_runs (created_at);
CREATE INDEX backup_runs_file ON backup_runs (file_name);
