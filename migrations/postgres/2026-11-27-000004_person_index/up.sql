-- Search over encrypted personal fields (issue 8): blind indexes of normalised values.
-- `blind` is an HMAC-SHA256 keyed from the key ring (never a plaintext value); `kind` is
-- one of email, phone, customer, name (one row per whole word of a name). An entry belongs
-- to a conversation (its visitor's name and address) or to a contact (the contact's own
-- fields), never both. Rows go with their owner (ON DELETE CASCADE), so an erased person
-- leaves no index value behind; the code deletes them explicitly as well.
CREATE TABLE person_index (
    kind TEXT NOT NULL,
    blind BYTEA NOT NULL,
    conversation_id BIGINT REFERENCES conversations (id) ON DELETE CASCADE,
    contact_id BIGINT REFERENCES contacts (id) ON DELETE CASCADE
);
CREATE INDEX person_index_lookup ON person_index (kind, blind);
CREATE INDEX person_index_conversation ON person_index (conversation_id);
CREATE INDEX person_index_contact ON person_index (contact_id);

-- A contact's phone number and customer id, encrypted like its address (row id bound in).
ALTER TABLE contacts ADD COLUMN phone_enc BYTEA;
ALTER TABLE contacts ADD COLUMN customer_id_enc BYTEA;

-- Tags operators give conversations: 1..=40 characters, trimmed, lower-case.
CREATE TABLE conversation_tags (
    conversation_id BIGINT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    tag TEXT NOT NULL,
    PRIMARY KEY (conversation_id, tag)
);
CREATE INDEX conversation_tags_tag ON conversation_tags (tag, conversation_id);

-- Keyset pagination of the conversation and contact lists by (created_at, id).
CREATE INDEX conversations_created ON conversations (created_at, id);
CREATE INDEX contacts_created ON contacts (created_at, id);
-- Filters by widget and by operator, in the same order.
CREATE INDEX conversations_widget_created ON conversations (widget_id, created_at, id);
CREATE INDEX conversations_operator_created ON conversations (operator_id, created_at, id);

-- A migration cannot compute HMACs: rows stored before this one are indexed once at the
-- next start (`db::person_index::backfill`), which removes this marker when done.
INSERT INTO app_settings (key, value, updated_at)
VALUES ('person_index.backfill', 'pending', '2026-11-27 00:00:00');
