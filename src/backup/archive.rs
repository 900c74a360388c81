//! What an archive holds, inside the compressed and encrypted stream (`format`):
//!
//! ```text
//! entry:  name_len u16 | name (UTF-8) | data_len u64 | data      (big-endian)
//! end:    name_len 0
//! ```
//!
//! Entries, in this order: `manifest.json` (format, backend, time, plauder version, row
//! counts at creation), `database` (the SQLite image or the `pg_dump -Fc` file) and
//! `erasure-journal.log` (the journal file, so that a later restore from this backup plus
//! nothing else still knows every erasure up to it). The journal file therefore travels
//! inside the encrypted archive, never next to it in the clear.

use super::BackupError;
use super::format::{DecryptReader, EncryptWriter, Header};
use crate::crypto::KeyRing;
use flate2::Compression;
use flate2::read::ZlibDecoder;
use flate2::write::ZlibEncoder;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::{self, Read, Write};
use std::path::Path;

pub const MANIFEST: &str = "manifest.json";
pub const DATABASE: &str = "database";
pub const JOURNAL: &str = "erasure-journal.log";

/// Largest manifest or journal entry read into memory (the database is streamed to a file).
const MAX_SMALL_ENTRY: u64 = 512 * 1024 * 1024;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Manifest {
    pub format: u32,
    pub backend: String,
    pub created: String,
    pub plauder_version: String,
    /// Rows per table when the snapshot was taken.
    pub tables: BTreeMap<String, i64>,
}

/// Writes the archive to `out`: header, then the entries compressed and sealed.
pub fn write<W: Write>(
    out: W,
    header: Header,
    ring: &KeyRing,
    manifest: &Manifest,
    database: &Path,
    journal: &[u8],
) -> Result<W, BackupError> {
    let sealed = EncryptWriter::new(out, header, ring).map_err(BackupError::io("encrypt"))?;
    let mut z = ZlibEncoder::new(sealed, Compression::new(3));
    let manifest = serde_json::to_vec_pretty(manifest)
        .map_err(|e| BackupError::Io(format!("manifest: {e}")))?;
    let io = BackupError::io("write archive");
    entry_header(&mut z, MANIFEST, manifest.len() as u64).map_err(&io)?;
    z.write_all(&manifest).map_err(&io)?;
    let mut db = std::fs::File::open(database).map_err(&io)?;
    let len = db.metadata().map_err(&io)?.len();
    entry_header(&mut z, DATABASE, len).map_err(&io)?;
    let copied = io::copy(&mut (&mut db).take(len), &mut z).map_err(&io)?;
    if copied != len {
        return Err(BackupError::Io(
            "the snapshot changed while it was copied".into(),
        ));
    }
    entry_header(&mut z, JOURNAL, journal.len() as u64).map_err(&io)?;
    z.write_all(journal).map_err(&io)?;
    z.write_all(&0u16.to_be_bytes()).map_err(&io)?;
    let sealed = z.finish().map_err(&io)?;
    sealed.finish().map_err(&io)
}

fn entry_header(out: &mut impl Write, name: &str, len: u64) -> io::Result<()> {
    let name_len = u16::try_from(name.len()).map_err(io::Error::other)?;
    out.write_all(&name_len.to_be_bytes())?;
    out.write_all(name.as_bytes())?;
    out.write_all(&len.to_be_bytes())
}

/// An archive read back: its header, manifest, journal file, and the database written to
/// the path given. Every chunk has been authenticated when this returns `Ok`.
#[derive(Debug)]
pub struct Opened {
    pub header: Header,
    pub manifest: Manifest,
    pub journal: Vec<u8>,
}

pub fn read(file: &Path, ring: &KeyRing, database_to: &Path) -> Result<Opened, BackupError> {
    let input = std::fs::File::open(file)
        .map_err(|e| BackupError::Io(format!("cannot open {}: {e}", file.display())))?;
    let (mut sealed, header) =
        DecryptReader::new(io::BufReader::new(input), ring).map_err(BackupError::Format)?;
    let mut manifest = None;
    let mut journal = None;
    let mut database = false;
    {
        let mut z = ZlibDecoder::new(&mut sealed);
        loop {
            let mut len = [0u8; 2];
            z.read_exact(&mut len).map_err(damaged)?;
            let name_len = usize::from(u16::from_be_bytes(len));
            if name_len == 0 {
                break;
            }
            let mut name = vec![0u8; name_len];
            z.read_exact(&mut name).map_err(damaged)?;
            let mut size = [0u8; 8];
            z.read_exact(&mut size).map_err(damaged)?;
            let size = u64::from_be_bytes(size);
            match name.as_slice() {
                b"database" => {
                    let mut out = create_private(database_to)?;
                    let copied = io::copy(&mut (&mut z).take(size), &mut out).map_err(damaged)?;
                    if copied != size {
                        return Err(BackupError::Format(super::format::FormatError::Truncated));
                    }
                    out.sync_all().map_err(BackupError::io("write database"))?;
                    database = true;
                }
                other => {
                    if size > MAX_SMALL_ENTRY {
                        return Err(BackupError::Io("an archive entry is too large".into()));
                    }
                    let mut data = Vec::new();
                    (&mut z)
                        .take(size)
                        .read_to_end(&mut data)
                        .map_err(damaged)?;
                    if data.len() as u64 != size {
                        return Err(BackupError::Format(super::format::FormatError::Truncated));
                    }
                    match other {
                        b"manifest.json" => {
                            manifest =
                                Some(serde_json::from_slice::<Manifest>(&data).map_err(|e| {
                                    BackupError::Io(format!("manifest is not readable: {e}"))
                                })?)
                        }
                        b"erasure-journal.log" => journal = Some(data),
                        _ => {}
                    }
                }
            }
        }
    }
    // The compressed stream may end before the last chunk was read: authenticate the rest.
    sealed.drain().map_err(damaged)?;
    match (manifest, journal, database) {
        (Some(manifest), Some(journal), true) => Ok(Opened {
            header,
            manifest,
            journal,
        }),
        _ => Err(BackupError::Io("the archive lacks an entry".into())),
    }
}

/// A read error from inside the stream: the format's own message when it has one.
fn damaged(e: io::Error) -> BackupError {
    match e.into_inner() {
        Some(inner) => match inner.downcast::<super::format::FormatError>() {
            Ok(f) => BackupError::Format(*f),
            Err(other) => BackupError::Io(format!("the backup is damaged: {other}")),
        },
        None => BackupError::Io("the backup is damaged or truncated".into()),
    }
}

/// A new file only the owner can read, refusing to follow or replace anything.
pub fn create_private(path: &Path) -> Result<std::fs::File, BackupError> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| BackupError::Io(format!("cannot create {}: {e}", path.display())))
}
