DROP TABLE role_reason_required;
