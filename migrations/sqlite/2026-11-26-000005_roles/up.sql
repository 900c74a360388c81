-- Roles and teams (issue 7). A role is a permission matrix: per area a level (none, read,
-- edit) and, for conversations and contacts, a scope (own, team, all). Built-in roles have
-- fixed ids 1-5 and a `builtin` key; they cannot be deleted or renamed, and the code treats
-- Admin as holding everything whatever its rows say.
CREATE TABLE roles (
    id BIGINT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    builtin TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX roles_name ON roles (name);
CREATE UNIQUE INDEX roles_builtin ON roles (builtin);

-- A missing area row means level `none`.
CREATE TABLE role_permissions (
    role_id BIGINT NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
    area TEXT NOT NULL,
    level TEXT NOT NULL,
    scope TEXT NOT NULL,
    PRIMARY KEY (role_id, area)
);

INSERT INTO roles (id, name, builtin, created_at, updated_at) VALUES
    (1, 'Admin', 'admin', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
    (2, 'Supervisor', 'supervisor', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
    (3, 'Operator', 'operator', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
    (4, 'Data-protection officer', 'dpo', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP),
    (5, 'Auditor', 'auditor', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP);

INSERT INTO role_permissions (role_id, area, level, scope) VALUES
    (1, 'conversations', 'edit', 'all'),
    (1, 'contacts', 'edit', 'all'),
    (1, 'exports', 'edit', 'all'),
    (1, 'deletions', 'edit', 'all'),
    (1, 'widgets', 'edit', 'all'),
    (1, 'canned', 'edit', 'all'),
    (1, 'staff', 'edit', 'all'),
    (1, 'audit', 'edit', 'all'),
    (1, 'statistics', 'edit', 'all'),
    (1, 'settings', 'edit', 'all'),
    (2, 'conversations', 'edit', 'team'),
    (2, 'contacts', 'read', 'team'),
    (2, 'exports', 'read', 'all'),
    (2, 'widgets', 'read', 'all'),
    (2, 'canned', 'edit', 'all'),
    (2, 'staff', 'read', 'all'),
    (2, 'statistics', 'read', 'all'),
    (3, 'conversations', 'edit', 'team'),
    (3, 'contacts', 'read', 'team'),
    (3, 'canned', 'read', 'all'),
    (4, 'conversations', 'read', 'all'),
    (4, 'contacts', 'edit', 'all'),
    (4, 'exports', 'edit', 'all'),
    (4, 'deletions', 'edit', 'all'),
    (4, 'widgets', 'read', 'all'),
    (4, 'staff', 'read', 'all'),
    (4, 'audit', 'read', 'all'),
    (4, 'settings', 'read', 'all'),
    (5, 'audit', 'read', 'all');

-- Teams. Team 1 is the default team: it cannot be deleted, new widgets route to it and new
-- accounts join it until an admin says otherwise.
CREATE TABLE teams (
    id BIGINT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX teams_name ON teams (name);
INSERT INTO teams (id, name, created_at, updated_at) VALUES (1, 'Standard', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP);

CREATE TABLE staff_teams (
    staff_id BIGINT NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    team_id BIGINT NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    PRIMARY KEY (staff_id, team_id)
);
CREATE INDEX staff_teams_team ON staff_teams (team_id);

-- staff.role (text) becomes staff.role_id. No REFERENCES clause on SQLite: a column added
-- with a non-NULL default may not have one, and down.sql could not drop it; the code never
-- deletes a role that an account still holds (PostgreSQL enforces it as well).
ALTER TABLE staff ADD COLUMN role_id BIGINT NOT NULL DEFAULT 3;
UPDATE staff SET role_id = CASE WHEN role = 'admin' THEN 1 ELSE 3 END;
ALTER TABLE staff DROP COLUMN role;
CREATE INDEX staff_role ON staff (role_id);
INSERT INTO staff_teams (staff_id, team_id) SELECT id, 1 FROM staff;

-- The team a widget routes its conversations to (same reasoning for the missing REFERENCES).
ALTER TABLE widgets ADD COLUMN team_id BIGINT NOT NULL DEFAULT 1;
CREATE INDEX widgets_team ON widgets (team_id);
