-- Staff accounts. The e-mail address is personal data: encrypted, searchable by blind index.
CREATE TABLE staff (
    id BIGINT PRIMARY KEY NOT NULL,
    username TEXT NOT NULL UNIQUE,
    email_enc BLOB,
    email_index BLOB,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    disabled BOOLEAN NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX staff_email_index ON staff (email_index);

-- Server-side sessions; only the SHA-256 of the cookie value is stored.
CREATE TABLE sessions (
    token_hash BLOB PRIMARY KEY NOT NULL,
    staff_id BIGINT NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL
);
CREATE INDEX sessions_staff ON sessions (staff_id);

-- Failed logins per account or client address, keyed by an HMAC (no address stored).
CREATE TABLE login_throttle (
    subject BLOB PRIMARY KEY NOT NULL,
    failures INTEGER NOT NULL,
    blocked_until TIMESTAMP,
    updated_at TIMESTAMP NOT NULL
);
