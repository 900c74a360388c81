DROP TABLE dsr_actions;
DROP TABLE dsr_requests;
