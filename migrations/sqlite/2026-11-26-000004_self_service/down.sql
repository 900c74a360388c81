DROP TABLE erasure_journal;
DROP INDEX conversations_contact;
ALTER TABLE conversations DROP COLUMN contact_id;
DROP TABLE contacts;
