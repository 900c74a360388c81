//! One-line hooks for existing actions: the entry each records, so handlers stay thin.
//! Records ids and fixed words only; a user name typed at sign-in is looked up, never kept.
