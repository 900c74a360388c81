-- Four-eyes approval (issue 8): an export or a bulk deletion that needs a second person's
-- approval is stored here instead of run. The exact parameters (conversation ids, a search
-- filter, a format) are sealed in Rust with the row id bound in: a filter can hold an
-- e-mail address. They are emptied once the request is used, refused or expired. Kinds
-- and statuses are fixed words checked in Rust; times are set in Rust.
CREATE TABLE approvals (
    id BIGINT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    requester_id BIGINT NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    params_enc BYTEA NOT NULL,
    conversations BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    status TEXT NOT NULL,
    approver_id BIGINT REFERENCES staff (id) ON DELETE SET NULL,
    decided_at TIMESTAMP,
    used_at TIMESTAMP
);
CREATE INDEX approvals_status ON approvals (status, created_at);
CREATE INDEX approvals_requester ON approvals (requester_id, created_at);

-- Roles whose members need a second person's approval for every export and bulk deletion.
-- No row: not required.
CREATE TABLE role_four_eyes (
    role_id BIGINT PRIMARY KEY NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
    required BOOLEAN NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
