DROP TABLE route_rules;
