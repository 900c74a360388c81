-- Privacy settings per widget, one row per widget (kept apart from `widgets` so that the
-- settings of one concern stay together). Privacy mode is on by default, for existing
-- widgets too: privacy is the default, not an option. Nothing personal here.
CREATE TABLE widget_privacy (
    widget_id BIGINT PRIMARY KEY NOT NULL REFERENCES widgets (id) ON DELETE CASCADE,
    privacy_policy_url TEXT NOT NULL DEFAULT '',
    decline_contact TEXT NOT NULL DEFAULT '',
    privacy_mode BOOLEAN NOT NULL DEFAULT TRUE,
    identity_recognition BOOLEAN NOT NULL DEFAULT FALSE,
    resumable_id BOOLEAN NOT NULL DEFAULT FALSE,
    withdrawal_policy TEXT NOT NULL DEFAULT 'delete_now'
);
INSERT INTO widget_privacy (widget_id) SELECT id FROM widgets;
UPDATE widgets SET typing_preview = FALSE;

-- The admin's own privacy notice per visitor language; no row means the shipped default.
CREATE TABLE widget_notices (
    widget_id BIGINT NOT NULL REFERENCES widgets (id) ON DELETE CASCADE,
    lang TEXT NOT NULL,
    text TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (widget_id, lang)
);

-- What a visitor accepted: the hash (and its short version) of the exact notice text shown,
-- in which language, when. No address, no browser: the record itself is not about a person
-- beyond the conversation it belongs to.
CREATE TABLE consents (
    id BIGINT PRIMARY KEY NOT NULL,
    widget_id BIGINT NOT NULL REFERENCES widgets (id) ON DELETE CASCADE,
    conversation_id BIGINT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    notice_hash TEXT NOT NULL,
    notice_version TEXT NOT NULL,
    lang TEXT NOT NULL,
    given_at TIMESTAMP NOT NULL,
    withdrawn_at TIMESTAMP
);
CREATE INDEX consents_conversation ON consents (conversation_id);

-- Technical details of a visitor, captured only when the widget's privacy mode is off.
-- Every value is encrypted with the conversation id bound in; the address expires after
-- 24 hours (ip_expires_at; the retention job clears ip_enc then).
CREATE TABLE conversation_meta (
    conversation_id BIGINT PRIMARY KEY NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    ip_enc BYTEA,
    ip_expires_at TIMESTAMP,
    user_agent_enc BYTEA,
    browser_enc BYTEA,
    os_enc BYTEA,
    country_enc BYTEA,
    page_url_enc BYTEA,
    referrer_enc BYTEA,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX conversation_meta_ip_expiry ON conversation_meta (ip_expires_at);
