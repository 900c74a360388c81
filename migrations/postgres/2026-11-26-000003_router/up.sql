-- Widget router: ordered rules that pick the widget a page shows. Only what the admin
-- configured lives here; what a visitor's browser sends to be routed is never stored.
-- An empty condition matches anything.
CREATE TABLE route_rules (
    id BIGINT PRIMARY KEY NOT NULL,
    position BIGINT NOT NULL,
    url_kind TEXT NOT NULL,
    url_pattern TEXT NOT NULL,
    ua_contains TEXT NOT NULL,
    device TEXT NOT NULL,
    lang TEXT NOT NULL,
    country TEXT NOT NULL,
    target_widget_id BIGINT NOT NULL REFERENCES widgets (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX route_rules_position ON route_rules (position, id);
CREATE INDEX route_rules_target ON route_rules (target_widget_id);
