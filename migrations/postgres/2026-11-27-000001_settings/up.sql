-- Server-wide settings made in the admin UI (not the config file): one row per key, the
-- value as text, parsed and validated by the code that owns the key. No row: the default.
CREATE TABLE app_settings (
    key TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
