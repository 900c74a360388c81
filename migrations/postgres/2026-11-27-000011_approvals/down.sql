DROP TABLE role_four_eyes;
DROP TABLE approvals;
