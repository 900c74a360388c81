-- Staff accounts (helper ACCOUNT): TOTP second factor, recovery codes, the second step of a
-- login, the coarse client of a session and how an operator appears to visitors.

-- The TOTP secret is encrypted with the key ring (row id = staff id bound in). An account
-- with confirmed_at NULL has begun enrolment but does not use the factor yet. last_step is
-- the RFC 6238 time step of the last accepted code: that step and earlier ones are refused,
-- so an observed code cannot be replayed.
CREATE TABLE staff_second_factor (
    staff_id BIGINT PRIMARY KEY NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    secret_enc BYTEA NOT NULL,
    confirmed_at TIMESTAMP,
    last_step BIGINT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- Single-use recovery codes; only an HMAC (key from the key ring, staff id bound in).
CREATE TABLE staff_recovery_codes (
    id BIGINT PRIMARY KEY NOT NULL,
    staff_id BIGINT NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    code_hash BYTEA NOT NULL,
    used_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX staff_recovery_codes_staff ON staff_recovery_codes (staff_id);

-- Roles whose members must use a second factor; role_key as the staff table names roles.
-- No row: not required.
CREATE TABLE role_second_factor (
    role_key TEXT PRIMARY KEY NOT NULL,
    required BOOLEAN NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- A password was accepted and the second factor is still to come: the hash of the
-- challenge cookie, valid for minutes. It grants nothing but the second-step form.
CREATE TABLE login_challenges (
    token_hash BYTEA PRIMARY KEY NOT NULL,
    staff_id BIGINT NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    client_label TEXT,
    created_at TIMESTAMP NOT NULL
);

-- The coarse client a session signed in with ("Firefox on Linux"); never the user agent.
ALTER TABLE sessions ADD COLUMN client_label TEXT;

-- How an operator appears to visitors: shown_as is full, first or alias. The full name and
-- an uploaded avatar (a PNG re-encoded by the server) are encrypted with the key ring.
-- avatar_key is the random, unguessable name under which visitors fetch the upload; it
-- changes with every new picture.
CREATE TABLE operator_profiles (
    staff_id BIGINT PRIMARY KEY NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    full_name_enc BYTEA,
    shown_as TEXT NOT NULL,
    alias TEXT,
    avatar_kind TEXT NOT NULL,
    avatar_stock TEXT,
    avatar_enc BYTEA,
    avatar_key TEXT,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX operator_profiles_avatar_key ON operator_profiles (avatar_key);
