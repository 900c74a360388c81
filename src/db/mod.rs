//! Storage: one diesel `MultiConnection` over SQLite (the embedded default) and PostgreSQL,
//! an r2d2 pool, embedded migrations per backend. Knows no HTTP and no chat hub.

pub mod approvals;
pub mod audit;
pub mod canned;
pub mod consents;
pub mod contact_edit;
pub mod contacts;
pub mod conversations;
pub mod dsr;
pub mod erasure;
mod ids;
pub mod login_challenges;
pub mod masking;
pub mod messages;
pub mod migration_status;
pub mod notices;
pub mod operator_profiles;
pub mod person_index;
pub mod roles;
pub mod route_rules;
pub mod schema;
pub mod search;
pub mod second_factor;
pub mod sessions;
pub mod settings;
pub mod staff;
pub mod statistics;
pub mod tags;
pub mod teams;
pub mod throttle;
pub mod visitor_meta;
pub mod widgets;

pub use ids::new_id;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::r2d2::{self, ManageConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};
use std::time::Duration;

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// Serialises migrations of several nodes starting at once on one PostgreSQL.
const MIGRATION_LOCK: i64 = 0x706c_6175_6465_7201;

#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Pg(PgConnection),
    Sqlite(SqliteConnection),
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("database URL must start with sqlite:// or postgres://")]
    UnknownScheme,
    #[error("cannot connect to the database: {0}")]
    Connect(String),
    #[error("database pool: {0}")]
    Pool(#[from] r2d2::PoolError),
    #[error("migrations failed: {0}")]
    Migration(String),
    #[error(transparent)]
    Query(#[from] diesel::result::Error),
    #[error(transparent)]
    Crypto(#[from] crate::crypto::CryptoError),
    #[error("stored value is invalid: {0}")]
    Corrupt(String),
    /// The request contradicts what is stored (e.g. a token of another widget).
    #[error("refused: {0}")]
    Conflict(&'static str),
}

pub type DbResult<T> = Result<T, DbError>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn from_url(url: &str) -> DbResult<Self> {
        if url.starts_with("sqlite://") {
            Ok(Self::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Self::Postgres)
        } else {
            Err(DbError::UnknownScheme)
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Sqlite => "SQLite",
            Self::Postgres => "PostgreSQL",
        }
    }
}

/// Opens connections of the backend the URL names; never guesses.
#[derive(Debug)]
pub struct Manager {
    backend: Backend,
    url: String,
}

impl Manager {
    fn connect_raw(&self) -> DbResult<DbConn> {
        match self.backend {
            Backend::Sqlite => {
                let path = self.url.trim_start_matches("sqlite://");
                let mut conn = SqliteConnection::establish(path)
                    .map_err(|e| DbError::Connect(e.to_string()))?;
                // secure_delete: erased values must not linger in freed pages. synchronous=FULL:
                // an acknowledged message survives power loss; group commit buys the speed back.
                conn.batch_execute(
                    "PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL; \
                     PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA secure_delete = ON;",
                )
                .map_err(|e| DbError::Connect(e.to_string()))?;
                Ok(DbConn::Sqlite(conn))
            }
            Backend::Postgres => PgConnection::establish(&self.url)
                .map(DbConn::Pg)
                .map_err(|e| DbError::Connect(e.to_string())),
        }
    }
}

impl ManageConnection for Manager {
    type Connection = DbConn;
    type Error = DbError;

    fn connect(&self) -> DbResult<DbConn> {
        self.connect_raw()
    }

    fn is_valid(&self, conn: &mut DbConn) -> DbResult<()> {
        conn.batch_execute("SELECT 1").map_err(DbError::from)
    }

    fn has_broken(&self, _conn: &mut DbConn) -> bool {
        false
    }
}

pub type Pool = r2d2::Pool<Manager>;
pub type PooledConn = r2d2::PooledConnection<Manager>;

/// The database: a pool and the backend it talks to.
#[derive(Clone)]
pub struct Db {
    pool: Pool,
    backend: Backend,
    manager: std::sync::Arc<Manager>,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db")
            .field("backend", &self.backend)
            .finish()
    }
}

impl Db {
    pub fn open(url: &str) -> DbResult<Self> {
        let backend = Backend::from_url(url)?;
        let manager = Manager {
            backend,
            url: url.to_string(),
        };
        // Fail fast with the real reason instead of r2d2's generic timeout.
        manager.connect_raw()?;
        let pool = r2d2::Pool::builder()
            .max_size(8)
            .connection_timeout(Duration::from_secs(10))
            .build(Manager {
                backend,
                url: url.to_string(),
            })?;
        Ok(Self {
            pool,
            backend,
            manager: std::sync::Arc::new(manager),
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn conn(&self) -> DbResult<PooledConn> {
        Ok(self.pool.get()?)
    }

    /// Runs pending migrations on a dedicated connection; returns how many ran.
    pub fn migrate(&self) -> DbResult<usize> {
        let mut conn = self.manager.connect_raw()?;
        let err = |e: Box<dyn std::error::Error + Send + Sync>| DbError::Migration(e.to_string());
        match &mut conn {
            DbConn::Sqlite(c) => Ok(c
                .run_pending_migrations(SQLITE_MIGRATIONS)
                .map_err(err)?
                .len()),
            DbConn::Pg(c) => {
                c.batch_execute(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK})"))?;
                let ran = c
                    .run_pending_migrations(POSTGRES_MIGRATIONS)
                    .map(|v| v.len());
                c.batch_execute(&format!("SELECT pg_advisory_unlock({MIGRATION_LOCK})"))?;
                ran.map_err(err)
            }
        }
    }

    /// Whether the database answers; for `/readyz`.
    pub fn ping(&self) -> bool {
        self.conn()
            .and_then(|mut c| c.batch_execute("SELECT 1").map_err(DbError::from))
            .is_ok()
    }
}

/// A transaction that takes SQLite's write lock up front (`BEGIN IMMEDIATE`). A deferred
/// transaction that reads first cannot wait for the lock when it later writes: SQLite then
/// answers "database is locked" at once, without the busy timeout. On PostgreSQL a plain
/// transaction. Nested `transaction` calls inside become savepoints as usual; so does a
/// `write_transaction` called inside another transaction (the outer one holds the lock).
pub fn write_transaction<T, E, F>(conn: &mut DbConn, work: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConn) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    type Multi = <DbConn as Connection>::TransactionManager;
    if in_transaction(conn)? {
        return conn.transaction(work);
    }
    match conn {
        DbConn::Sqlite(c) => AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?,
        DbConn::Pg(c) => AnsiTransactionManager::begin_transaction(c)?,
    }
    match work(conn) {
        Ok(value) => match Multi::commit_transaction(conn) {
            Ok(()) => Ok(value),
            Err(commit) => {
                let _ = Multi::rollback_transaction(conn);
                Err(commit.into())
            }
        },
        Err(e) => {
            let _ = Multi::rollback_transaction(conn);
            Err(e)
        }
    }
}

/// Whether a transaction is open on this connection (diesel's own bookkeeping).
pub fn in_transaction(conn: &mut DbConn) -> Result<bool, diesel::result::Error> {
    use diesel::connection::TransactionManager;
    type Multi = <DbConn as Connection>::TransactionManager;
    Ok(Multi::transaction_manager_status_mut(conn)
        .transaction_depth()?
        .is_some())
}
