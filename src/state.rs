//! `AppState`: everything a handler needs, passed in, never global.

use crate::chat::{EventBus, Hub, LocalBus, Presence, Router, Writer};
use crate::clock::Clock;
use crate::config::Config;
use crate::crypto::KeyRing;
use crate::db::{Db, DbError, DbResult, PooledConn};
use crate::tls::CertStore;
use crate::widget::limits::ConnectionLimits;
use std::net::IpAddr;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub db: Db,
    pub ring: Arc<KeyRing>,
    pub clock: Arc<dyn Clock>,
    pub certs: Arc<CertStore>,
    pub trusted_proxies: Arc<Vec<IpAddr>>,
    pub hub: Hub,
    pub limits: Arc<ConnectionLimits>,
    /// Widget-router rules and the country database (`widget::route_rules`).
    pub widget_router: Arc<crate::widget::route_rules::WidgetRouter>,
    /// Counters and gauges for `GET /metrics` (`metrics`).
    pub metrics: Arc<crate::metrics::Metrics>,
    /// One-time download tickets of visitors' own data (`widget::downloads`), in memory.
    pub downloads: Arc<crate::widget::downloads::Downloads>,
    /// The client of the configured SMTP relay (`mail`); disabled without `mail.host`.
    pub mailer: Arc<crate::mail::Mailer>,
    /// How far the audit page's bounded chain check got (`audit::verify_bounded`).
    pub audit_checkpoint: Arc<std::sync::Mutex<crate::audit::Checkpoint>>,
}

impl AppState {
    /// Runs blocking database work on actix's blocking thread pool, never on the executor.
    pub async fn blocking<T, F>(&self, work: F) -> DbResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut PooledConn, &AppState) -> DbResult<T> + Send + 'static,
    {
        let state = self.clone();
        actix_web::web::block(move || {
            let mut conn = state.db.conn()?;
            work(&mut conn, &state)
        })
        .await
        .map_err(|e| DbError::Connect(format!("blocking pool: {e}")))?
    }
}

impl AppState {
    /// Assembles the state from a prepared installation.
    pub fn new(
        config: Config,
        prepared: crate::setup::Prepared,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, crate::setup::SetupError> {
        let (cert, key, _) = config.tls_paths();
        let certs = Arc::new(CertStore::load(&cert, &key, config.tls.profile)?);
        let trusted_proxies = config
            .general
            .trusted_proxies
            .iter()
            .filter_map(|p| p.parse::<IpAddr>().ok())
            .map(|ip| ip.to_canonical())
            .collect();
        let ring = Arc::new(prepared.ring);
        let bus: Arc<dyn EventBus> = Arc::new(LocalBus::new());
        let metrics = Arc::new(crate::metrics::Metrics::new());
        let hub = Hub {
            writer: Writer::spawn(
                prepared.db.clone(),
                ring.clone(),
                clock.clone(),
                bus.clone(),
                metrics.clone(),
            ),
            presence: Arc::new(Presence::new(bus.clone())),
            router: Router::spawn(&bus).map_err(|e| crate::setup::SetupError::DataDir {
                path: "event router".into(),
                message: e.to_string(),
            })?,
            bus,
        };
        let widget_router = Arc::new(crate::widget::route_rules::WidgetRouter::new(
            config.data_dir(),
        ));
        let hello = config
            .public_url()
            .strip_prefix("https://")
            .and_then(|rest| rest.split(['/', ':']).next())
            .map(str::to_string);
        let mailer = crate::mail::Mailer::new(&config.mail, &config.mail_password, hello).map_err(
            |message| crate::setup::SetupError::DataDir {
                path: "mail".into(),
                message,
            },
        )?;
        Ok(Self {
            config: Arc::new(config),
            db: prepared.db,
            ring,
            clock,
            certs,
            trusted_proxies: Arc::new(trusted_proxies),
            hub,
            limits: Arc::new(ConnectionLimits::new(crate::widget::limits::PER_ADDRESS)?),
            widget_router,
            metrics,
            downloads: Arc::default(),
            mailer: Arc::new(mailer),
            audit_checkpoint: Arc::default(),
        })
    }
}
