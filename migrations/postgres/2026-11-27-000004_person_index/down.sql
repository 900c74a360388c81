DELETE FROM app_settings WHERE key = 'person_index.backfill';
DROP INDEX conversations_operator_created;
DROP INDEX conversations_widget_created;
DROP INDEX contacts_created;
DROP INDEX conversations_created;
DROP TABLE conversation_tags;
ALTER TABLE contacts DROP COLUMN customer_id_enc;
ALTER TABLE contacts DROP COLUMN phone_enc;
DROP TABLE person_index;
