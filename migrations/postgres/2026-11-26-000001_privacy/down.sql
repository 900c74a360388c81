DROP TABLE conversation_meta;
DROP TABLE consents;
DROP TABLE widget_notices;
DROP TABLE widget_privacy;
