-- What is masked in a widget's chats before storage and display. No row means the
-- defaults: card numbers and IBANs masked, no admin patterns (privacy by default).
-- `patterns` holds validated regular expressions, one per line. Nothing personal here.
CREATE TABLE widget_masking (
    widget_id BIGINT PRIMARY KEY NOT NULL REFERENCES widgets (id) ON DELETE CASCADE,
    mask_cards BOOLEAN NOT NULL DEFAULT TRUE,
    mask_ibans BOOLEAN NOT NULL DEFAULT TRUE,
    patterns TEXT NOT NULL DEFAULT '',
    updated_at TIMESTAMP NOT NULL
);
