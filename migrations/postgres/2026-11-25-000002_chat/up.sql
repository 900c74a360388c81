-- Chat widgets as admins configure them. Nothing personal here.
CREATE TABLE widgets (
    id BIGINT PRIMARY KEY NOT NULL,
    public_id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    allowed_origins TEXT NOT NULL,
    greeting TEXT NOT NULL,
    accent_color TEXT NOT NULL,
    position TEXT NOT NULL,
    default_lang TEXT NOT NULL,
    typing_preview BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- A visitor proves access to a conversation with a secret token; only its hash is stored.
CREATE TABLE conversations (
    id BIGINT PRIMARY KEY NOT NULL,
    widget_id BIGINT NOT NULL REFERENCES widgets (id) ON DELETE CASCADE,
    token_hash BYTEA NOT NULL UNIQUE,
    status TEXT NOT NULL,
    offline BOOLEAN NOT NULL DEFAULT FALSE,
    operator_id BIGINT REFERENCES staff (id) ON DELETE SET NULL,
    visitor_name_enc BYTEA,
    visitor_email_enc BYTEA,
    last_seq BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    closed_at TIMESTAMP
);
CREATE INDEX conversations_status ON conversations (status, updated_at);

-- Message bodies are encrypted; seq orders a conversation; client_id makes resends idempotent.
CREATE TABLE messages (
    id BIGINT PRIMARY KEY NOT NULL,
    conversation_id BIGINT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    seq BIGINT NOT NULL,
    sender TEXT NOT NULL,
    staff_id BIGINT REFERENCES staff (id) ON DELETE SET NULL,
    client_id TEXT,
    body_enc BYTEA NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (conversation_id, seq),
    UNIQUE (conversation_id, sender, client_id)
);

-- Shared reply snippets; not personal data.
CREATE TABLE canned_responses (
    id BIGINT PRIMARY KEY NOT NULL,
    shortcut TEXT NOT NULL UNIQUE,
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
