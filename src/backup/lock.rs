//! `<data_dir>/plauder.lock`: `serve` holds an exclusive advisory lock (flock) on it for its
//! whole life, so `backup restore` can tell that a server runs on this data and refuse.
//! The kernel drops the lock when the process ends, however it ends: no stale pid files.

use super::BackupError;
use rustix::fs::{FlockOperation, flock};
use std::path::{Path, PathBuf};

pub const FILE_NAME: &str = "plauder.lock";

/// A held lock; released when dropped (or when the process ends).
#[derive(Debug)]
pub struct DataLock {
    _file: std::fs::File,
    pub path: PathBuf,
}

/// Takes the lock without waiting; `Ok(None)` when another process holds it.
pub fn try_lock(data_dir: &Path) -> Result<Option<DataLock>, BackupError> {
    use std::os::unix::fs::OpenOptionsExt;
    let path = data_dir.join(FILE_NAME);
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(&path)
        .map_err(|e| BackupError::Io(format!("cannot open {}: {e}", path.display())))?;
    match flock(&file, FlockOperation::NonBlockingLockExclusive) {
        Ok(()) => Ok(Some(DataLock { _file: file, path })),
        Err(e) if e == rustix::io::Errno::WOULDBLOCK => Ok(None),
        Err(e) => Err(BackupError::Io(format!(
            "cannot lock {}: {e}",
            path.display()
        ))),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_second_lock_is_refused_until_the_first_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let first = super::try_lock(dir.path()).unwrap().unwrap();
        assert!(super::try_lock(dir.path()).unwrap().is_none());
        drop(first);
        assert!(super::try_lock(dir.path()).unwrap().is_some());
    }
}
