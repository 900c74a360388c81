-- Contacts: visitors who typed an e-mail address (offline form or the chat's own fields).
-- Address and name are encrypted; email_blind (HMAC of the trimmed, lower-cased address,
-- key derived from the key ring) finds a contact again without decrypting anything. Only
-- what visitors typed here: never filled or enriched from any outside source.
CREATE TABLE contacts (
    id BIGINT PRIMARY KEY NOT NULL,
    email_enc BYTEA NOT NULL,
    name_enc BYTEA,
    email_blind BYTEA NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX contacts_email_blind ON contacts (email_blind);

-- The contact a conversation belongs to; the code never deletes a contact that a
-- conversation still names.
ALTER TABLE conversations ADD COLUMN contact_id BIGINT REFERENCES contacts (id) ON DELETE SET NULL;
CREATE INDEX conversations_contact ON conversations (contact_id);

-- What remains of a visitor's data after self-service deletion: ids and the time, never
-- anything about the person. `action` is `erase` (deleted on request) or `withdraw`
-- (consent withdrawn under the delete-now policy).
CREATE TABLE erasure_journal (
    id BIGINT PRIMARY KEY NOT NULL,
    conversation_id BIGINT NOT NULL,
    widget_id BIGINT NOT NULL,
    contact_id BIGINT,
    action TEXT NOT NULL,
    erased_at TIMESTAMP NOT NULL
);
