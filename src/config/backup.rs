//! The `[backup]` section: where encrypted backups go and how many the rotation keeps.

use super::section::{KeyError, config_section};
use std::path::{Path, PathBuf};

config_section! {
    /// Encrypted backups (`plauder backup …` and the daily job).
    pub struct BackupConfig {
        /// Directory for the encrypted backup files (mode 0700, files 0600).
        /// Empty: "backups" in the data directory. Copy them elsewhere too, and keep the
        /// key ring export (`plauder keys export`) apart from them.
        dir: String = String::new(),
        /// Daily backups kept: the newest backup of each of the last N days with one (1 to 366).
        keep_daily: u32 = 7,
        /// Weekly backups kept in addition: the newest backup of each of the last M ISO weeks
        /// with one (0 to 520).
        keep_weekly: u32 = 4,
    }
}

impl BackupConfig {
    /// The backup directory, with the default filled in from the data directory.
    pub fn dir_in(&self, data_dir: &Path) -> PathBuf {
        if self.dir.trim().is_empty() {
            data_dir.join("backups")
        } else {
            PathBuf::from(&self.dir)
        }
    }
}

pub(super) fn validate(backup: &BackupConfig) -> Result<(), KeyError> {
    let invalid = |key: &str, message: &str| KeyError {
        key: key.to_string(),
        message: message.to_string(),
    };
    if !(1..=366).contains(&backup.keep_daily) {
        return Err(invalid("backup.keep_daily", "must be between 1 and 366"));
    }
    if backup.keep_weekly > 520 {
        return Err(invalid("backup.keep_weekly", "must be between 0 and 520"));
    }
    if !backup.dir.is_empty() && backup.dir.trim() != backup.dir {
        return Err(invalid("backup.dir", "must not start or end with spaces"));
    }
    Ok(())
}
