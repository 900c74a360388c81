//! The widget router: ordered admin rules pick which widget a page shows, by page address,
//! user-agent text, device class, browser language and country (from a local `.mmdb`).
//!
//! What a visitor's browser sends to be routed (page address, user agent, language,
//! address) is used in memory to choose and then dropped: it must never be stored,
//! logged, or put into an error message. Only the admin's rules are stored.

mod codes;
mod device;
mod endpoint;
pub mod geoip;
mod matching;
mod rule;

pub use device::Device;
pub use geoip::{GeoDb, GeoError, GeoInfo};
pub use matching::{Snapshot, Visit, first_accept_language, page_address, primary_subtag};
pub use rule::{Rule, RuleError, RuleForm, RuleSpec, UrlKind};

use crate::db::{DbConn, DbResult, route_rules};
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

pub fn mount(r: &mut crate::http::routes::Routes<'_>) {
    endpoint::mount(r);
}

/// Other nodes on the same PostgreSQL see an admin's change after at most this long.
const RELOAD_AFTER: Duration = Duration::from_secs(30);

struct Loaded {
    snapshot: Arc<Snapshot>,
    at: Instant,
}

/// The compiled rules and the country database, shared by all requests of this node.
pub struct WidgetRouter {
    data_dir: PathBuf,
    rules: RwLock<Option<Loaded>>,
    geo: RwLock<Option<Arc<GeoDb>>>,
}

impl std::fmt::Debug for WidgetRouter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WidgetRouter")
            .field("data_dir", &self.data_dir)
            .finish()
    }
}

impl WidgetRouter {
    /// Opens the stored country database, if any. A broken file disables country rules
    /// (and says so in the log) instead of stopping the server.
    pub fn new(data_dir: PathBuf) -> Self {
        let geo = match geoip::load(&data_dir) {
            Ok(db) => db.map(Arc::new),
            Err(e) => {
                let file = geoip::path_in(&data_dir).display().to_string();
                tracing::warn!(%file, error = %e, "country database not loaded; country rules are disabled");
                None
            }
        };
        Self {
            data_dir,
            rules: RwLock::new(None),
            geo: RwLock::new(geo),
        }
    }

    pub fn geo(&self) -> Option<Arc<GeoDb>> {
        self.geo.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Checks, stores and switches to a new country database (blocking: file I/O).
    pub fn install_geo(&self, bytes: Vec<u8>) -> Result<GeoInfo, GeoError> {
        let db = geoip::install(&self.data_dir, bytes)?;
        let info = db.info.clone();
        *self.geo.write().unwrap_or_else(|p| p.into_inner()) = Some(Arc::new(db));
        Ok(info)
    }

    pub fn remove_geo(&self) -> Result<(), GeoError> {
        geoip::remove(&self.data_dir)?;
        *self.geo.write().unwrap_or_else(|p| p.into_inner()) = None;
        Ok(())
    }

    /// Reads and compiles the rules now; called after every admin change.
    pub fn reload(&self, conn: &mut DbConn) -> DbResult<Arc<Snapshot>> {
        let mut rules = Vec::new();
        for stored in route_rules::list(conn)? {
            match Rule::compile(&stored.spec) {
                Ok(rule) => rules.push(rule),
                // Only possible after a hand edit of the table: skip that rule, keep routing.
                Err(e) => {
                    tracing::warn!(rule = stored.id.0, field = e.field, "route rule skipped")
                }
            }
        }
        let snapshot = Arc::new(Snapshot { rules });
        *self.rules.write().unwrap_or_else(|p| p.into_inner()) = Some(Loaded {
            snapshot: snapshot.clone(),
            at: Instant::now(),
        });
        Ok(snapshot)
    }

    /// The current rules, read again when older than `RELOAD_AFTER`.
    pub fn snapshot(&self, conn: &mut DbConn) -> DbResult<Arc<Snapshot>> {
        let current = self
            .rules
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
            .filter(|l| l.at.elapsed() < RELOAD_AFTER)
            .map(|l| l.snapshot.clone());
        match current {
            Some(s) => Ok(s),
            None => self.reload(conn),
        }
    }
}
