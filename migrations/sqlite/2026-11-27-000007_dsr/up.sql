-- Register of data-subject requests (GDPR Art. 12-22). The data subject's reference, the
-- notes and any free-text reason are personal data: encrypted in Rust (`*_enc`), row id
-- bound in. Kinds, channels and statuses are fixed words checked in Rust. Times are set
-- in Rust, never by defaults. Requests a visitor made through the in-chat self-service
-- carry no personal data at all: only the conversation id as a linked object.
CREATE TABLE dsr_requests (
    id BIGINT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    channel TEXT NOT NULL,
    received_at TIMESTAMP NOT NULL,
    -- One month after receipt, or up to three with an extension (Art. 12(3)).
    due_on DATE NOT NULL,
    extension_months INTEGER NOT NULL,
    extension_reason_enc BLOB,
    status TEXT NOT NULL,
    refusal_reason_enc BLOB,
    handler_id BIGINT,
    subject_enc BLOB,
    -- Ids only: a contact erased later leaves the register without a link to it.
    contact_id BIGINT REFERENCES contacts (id) ON DELETE SET NULL,
    notes_enc BLOB,
    answered_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
-- The retention job (issue 9) prunes the register by receipt date.
CREATE INDEX dsr_requests_received ON dsr_requests (received_at);
CREATE INDEX dsr_requests_due ON dsr_requests (status, due_on);
CREATE INDEX dsr_requests_contact ON dsr_requests (contact_id);

-- What answered a request: an export, an erasure, a rectification; ids and words only.
CREATE TABLE dsr_actions (
    id BIGINT PRIMARY KEY NOT NULL,
    request_id BIGINT NOT NULL REFERENCES dsr_requests (id) ON DELETE CASCADE,
    action TEXT NOT NULL,
    object_kind TEXT NOT NULL,
    object_id BIGINT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX dsr_actions_request ON dsr_actions (request_id, created_at);
