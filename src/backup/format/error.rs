//! Why an archive cannot be written or read; each message says what to do where it can.

use std::io;

#[derive(Debug, thiserror::Error)]
pub enum FormatError {
    #[error("not a plauder backup (no PLAUDBAK header)")]
    NotABackup,
    #[error("backup format version {0} is not supported by this plauder")]
    Version(u8),
    #[error("the header is damaged: {0}")]
    BadHeader(&'static str),
    #[error(
        "the backup was made with key ring {backup}, but the loaded key ring is {loaded}: import the right one with `plauder keys import`"
    )]
    WrongRing { backup: String, loaded: String },
    #[error(
        "the backup is damaged or was altered: chunk {0} does not authenticate (a changed, missing or added byte)"
    )]
    Chunk(u32),
    #[error("the backup is truncated: it ends before its last chunk")]
    Truncated,
    #[error("the backup is too large (more than 2^32 chunks)")]
    TooLarge,
    #[error("the system random generator failed")]
    Random,
}

impl From<FormatError> for io::Error {
    fn from(e: FormatError) -> Self {
        io::Error::other(e)
    }
}
