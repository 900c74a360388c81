DROP TABLE canned_responses;
DROP TABLE messages;
DROP TABLE conversations;
DROP TABLE widgets;
