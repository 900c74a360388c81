//! The test harness: the real server in-process on 127.0.0.1:0 with a temp data dir and a
//! fresh database (SQLite file or a new PostgreSQL database) per test.

pub mod client;
pub mod pg;
pub mod scan;
pub mod webdriver;
pub mod ws;

use chrono::Utc;
use client::Client;
use plauder::clock::ManualClock;
use plauder::config::Config;
use plauder::server::Running;
use plauder::state::AppState;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use std::net::SocketAddr;
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Db {
    Sqlite,
    Postgres,
}

/// Runs a test body once per backend: `both_backends!(name, |db| { ... });`
#[macro_export]
macro_rules! both_backends {
    ($name:ident, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[test]
            fn sqlite() {
                ($body)($crate::support::Db::Sqlite)
            }
            #[test]
            fn postgres() {
                ($body)($crate::support::Db::Postgres)
            }
        }
    };
}

pub struct TestServer {
    pub addr: SocketAddr,
    pub redirect_addr: Option<SocketAddr>,
    pub state: AppState,
    pub clock: Arc<ManualClock>,
    pub admin_password: String,
    pub cert: CertificateDer<'static>,
    pub config: Config,
    running: Option<Running>,
    thread: Option<std::thread::JoinHandle<()>>,
    pub pg: Option<pg::PgDatabase>,
    _dir: tempfile::TempDir,
}

impl TestServer {
    pub fn start(db: Db) -> Self {
        Self::start_with(db, |_| {})
    }

    pub fn start_with(db: Db, tweak: impl FnOnce(&mut Config)) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut config = Config::default();
        config.general.data_dir = dir.path().join("data").display().to_string();
        config.general.listen = vec!["127.0.0.1:0".into()];
        let pg = (db == Db::Postgres).then(pg::PgDatabase::create);
        if let Some(pg) = &pg {
            config.general.database_url = plauder::config::DatabaseUrl::new(pg.url.clone());
        }
        tweak(&mut config);
        let clock = Arc::new(ManualClock::new(Utc::now()));
        let prepared = plauder::setup::prepare(&config, clock.as_ref()).unwrap();
        let admin_password = prepared.first_admin.clone().unwrap().1;
        let state = AppState::new(config.clone(), prepared, clock.clone()).unwrap();
        let cert = CertificateDer::from_pem_file(config.tls_paths().0).unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let server_state = state.clone();
        let thread = std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                let (running, servers) = plauder::server::start(server_state, 1).unwrap();
                tx.send(running).unwrap();
                let mut servers = servers.into_iter();
                let main = servers.next().unwrap();
                for extra in servers {
                    actix_web::rt::spawn(extra);
                }
                let _ = main.await;
            })
        });
        let running = rx.recv().unwrap();
        Self {
            addr: running.addrs[0],
            redirect_addr: running.redirect_addr,
            state,
            clock,
            admin_password,
            cert,
            config,
            running: Some(running),
            thread: Some(thread),
            pg,
            _dir: dir,
        }
    }

    pub fn tls(&self) -> Arc<rustls::ClientConfig> {
        client::tls_config(
            &self.cert,
            rustls::crypto::ring::default_provider(),
            rustls::ALL_VERSIONS,
        )
    }

    pub fn client(&self) -> Client {
        Client::new(self.addr, self.tls())
    }

    /// A client signed in as `user`.
    pub fn login(&self, user: &str, password: &str) -> Client {
        let mut c = self.client();
        let page = c.get("/login");
        let r = c.post(
            "/login",
            &[
                ("username", user),
                ("password", password),
                ("csrf", &page.csrf()),
            ],
        );
        assert_eq!(r.status, 303, "login of {user} failed: {}", r.body);
        c
    }

    pub fn admin(&self) -> Client {
        self.login("admin", &self.admin_password)
    }

    pub fn data_dir(&self) -> std::path::PathBuf {
        self.config.data_dir()
    }

    pub fn conn(&self) -> plauder::db::PooledConn {
        self.state.db.conn().unwrap()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(running) = self.running.take() {
            actix_web::rt::System::new().block_on(running.stop());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// A password that passes the policy, for accounts made in tests.
pub const GOOD_PASSWORD: &str = "Kaffee-Tasse-Mond-7";

/// Adds an account through the same domain function the CLI uses.
pub fn add_staff(
    server: &TestServer,
    name: &str,
    role: plauder::db::staff::Role,
    email: Option<&str>,
) -> plauder::db::staff::StaffId {
    let hash = plauder::auth::password::hash(GOOD_PASSWORD).unwrap();
    let new = plauder::db::staff::NewStaff {
        username: name,
        email,
        role,
        password_hash: &hash,
    };
    plauder::db::staff::insert(
        &mut server.conn(),
        &server.state.ring,
        &new,
        server.clock.now().naive_utc(),
    )
    .unwrap()
}

use plauder::clock::Clock as _;
