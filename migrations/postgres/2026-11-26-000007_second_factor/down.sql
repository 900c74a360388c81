DROP TABLE operator_profiles;
ALTER TABLE sessions DROP COLUMN client_label;
DROP TABLE login_challenges;
DROP TABLE role_second_factor;
DROP TABLE staff_recovery_codes;
DROP TABLE staff_second_factor;
