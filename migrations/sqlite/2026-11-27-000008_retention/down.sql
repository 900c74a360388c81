DROP INDEX conversation_meta_created;
DROP INDEX consents_widget_withdrawn;
DROP INDEX conversations_widget_updated;
DROP TABLE job_runs;
ALTER TABLE widget_privacy DROP COLUMN retention_months;
