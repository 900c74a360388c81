//! The admin's country database: a local MaxMind-format `.mmdb` file, checked before it is
//! accepted, kept in the data dir and replaced atomically (temp file, fsync, rename).
//! Lookups happen in memory; an address looked up is never stored, logged or returned.

use maxminddb::{PathElement, Reader};
use std::io::Write;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

/// The file name in the data dir.
pub const FILE_NAME: &str = "geoip-country.mmdb";
/// GeoLite2-City is ~70 MB; anything much larger is not a country database.
pub const MAX_BYTES: usize = 128 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum GeoError {
    #[error("the file is empty")]
    Empty,
    #[error("the file is larger than {} MB", MAX_BYTES / 1024 / 1024)]
    TooLarge,
    #[error("not a valid MaxMind database: {0}")]
    Invalid(String),
    #[error("database type `{0}` has no country data (expected e.g. GeoLite2-Country)")]
    NotCountry(String),
    #[error("cannot store the database: {0}")]
    Io(#[from] std::io::Error),
}

/// What the admin page shows about the loaded database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeoInfo {
    pub database_type: String,
    /// Build date as YYYY-MM-DD.
    pub built: String,
    pub bytes: usize,
}

pub struct GeoDb {
    reader: Reader<Vec<u8>>,
    pub info: GeoInfo,
}

impl std::fmt::Debug for GeoDb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GeoDb").field("info", &self.info).finish()
    }
}

/// Country, City and Enterprise databases all carry `country.iso_code`.
fn has_countries(database_type: &str) -> bool {
    let t = database_type.to_ascii_lowercase();
    ["country", "city", "enterprise"]
        .iter()
        .any(|k| t.contains(k))
}

impl GeoDb {
    /// Opens and fully verifies a database held in memory.
    pub fn open(bytes: Vec<u8>) -> Result<Self, GeoError> {
        if bytes.is_empty() {
            return Err(GeoError::Empty);
        }
        if bytes.len() > MAX_BYTES {
            return Err(GeoError::TooLarge);
        }
        let size = bytes.len();
        let reader = Reader::from_source(bytes).map_err(|e| GeoError::Invalid(e.to_string()))?;
        reader
            .verify()
            .map_err(|e| GeoError::Invalid(e.to_string()))?;
        let meta = reader.metadata();
        if !has_countries(&meta.database_type) {
            return Err(GeoError::NotCountry(meta.database_type.clone()));
        }
        let built = i64::try_from(meta.build_epoch)
            .ok()
            .and_then(|s| chrono::DateTime::from_timestamp(s, 0))
            .map(|t| t.format("%Y-%m-%d").to_string())
            .unwrap_or_default();
        let info = GeoInfo {
            database_type: meta.database_type.clone(),
            built,
            bytes: size,
        };
        Ok(Self { reader, info })
    }

    /// The ISO country code of an address, upper case; None when unknown.
    pub fn country(&self, addr: IpAddr) -> Option<String> {
        // IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) find nothing unless made plain IPv4.
        let found = self.reader.lookup(addr.to_canonical()).ok()?;
        let code: String = found
            .decode_path(&[PathElement::Key("country"), PathElement::Key("iso_code")])
            .ok()??;
        let code = code.to_ascii_uppercase();
        (code.len() == 2 && code.bytes().all(|b| b.is_ascii_uppercase())).then_some(code)
    }
}

pub fn path_in(data_dir: &Path) -> PathBuf {
    data_dir.join(FILE_NAME)
}

/// Loads the stored database, if there is one.
pub fn load(data_dir: &Path) -> Result<Option<GeoDb>, GeoError> {
    match std::fs::read(path_in(data_dir)) {
        Ok(bytes) => GeoDb::open(bytes).map(Some),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Checks `bytes` and, only if they are a valid country database, puts them in place of
/// the stored file. A failed check or write leaves the previous file as it was.
pub fn install(data_dir: &Path, bytes: Vec<u8>) -> Result<GeoDb, GeoError> {
    std::fs::create_dir_all(data_dir)?;
    let nonce = u32::from_be_bytes(
        crate::crypto::random_bytes::<4>().map_err(|e| GeoError::Io(std::io::Error::other(e)))?,
    );
    let temp = data_dir.join(format!(".{FILE_NAME}.{nonce:08x}.tmp"));
    let written = write_synced(&temp, &bytes);
    if let Err(e) = written {
        let _ = std::fs::remove_file(&temp);
        return Err(e.into());
    }
    let db = match GeoDb::open(bytes) {
        Ok(db) => db,
        Err(e) => {
            let _ = std::fs::remove_file(&temp);
            return Err(e);
        }
    };
    if let Err(e) = std::fs::rename(&temp, path_in(data_dir)) {
        let _ = std::fs::remove_file(&temp);
        return Err(e.into());
    }
    sync_dir(data_dir);
    Ok(db)
}

/// Removes the stored database; country rules are then disabled.
pub fn remove(data_dir: &Path) -> Result<(), GeoError> {
    match std::fs::remove_file(path_in(data_dir)) {
        Ok(()) => {
            sync_dir(data_dir);
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e.into()),
    }
}

fn write_synced(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o640)
        .open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// Makes the rename durable; a failure here only risks the old file after a power cut.
fn sync_dir(dir: &Path) {
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_is_refused_and_the_old_file_stays() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(install(dir.path(), vec![]), Err(GeoError::Empty)));
        std::fs::write(path_in(dir.path()), b"previous").unwrap_or_else(|e| panic!("{e}"));
        let r = install(dir.path(), b"this is not a database".to_vec());
        assert!(matches!(r, Err(GeoError::Invalid(_))), "{r:?}");
        assert_eq!(
            std::fs::read(path_in(dir.path())).unwrap_or_default(),
            b"previous"
        );
        let leftovers = std::fs::read_dir(dir.path())
            .map(|d| d.count())
            .unwrap_or_default();
        assert_eq!(leftovers, 1, "no temp file left behind");
        assert!(matches!(load(dir.path()), Err(GeoError::Invalid(_))));
        remove(dir.path()).unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(load(dir.path()), Ok(None)));
    }

    #[test]
    fn country_types() {
        assert!(has_countries("GeoLite2-Country"));
        assert!(has_countries("GeoIP2-City"));
        assert!(has_countries("DBIP-Country-Lite"));
        assert!(!has_countries("GeoLite2-ASN"));
    }
}
