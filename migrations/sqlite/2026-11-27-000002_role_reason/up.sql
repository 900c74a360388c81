-- Roles whose members must type a reason before they open personal data outside their own
-- scope (a conversation they did not handle themselves); the reason goes into the audit
-- entry of that read. No row: not required. The built-in data-protection officer (role 4)
-- requires it from the start; an admin can change that on the role's page.
CREATE TABLE role_reason_required (
    role_id BIGINT PRIMARY KEY NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
    required BOOLEAN NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
INSERT INTO role_reason_required (role_id, required, updated_at) VALUES (4, TRUE, CURRENT_TIMESTAMP);
