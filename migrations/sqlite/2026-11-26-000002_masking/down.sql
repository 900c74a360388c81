DROP TABLE widget_masking;
