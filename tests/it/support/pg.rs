//! A fresh PostgreSQL database per test on the cluster that `scripts/test.sh` starts.
//! Without that cluster the PostgreSQL tests fail; they never skip.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;

pub const ENV: &str = "PLAUDER_TEST_PG";

pub struct PgDatabase {
    pub url: String,
    pub name: String,
    admin_url: String,
}

pub fn admin_url() -> String {
    std::env::var(ENV).unwrap_or_else(|_| {
        panic!("{ENV} is not set: run the suite with scripts/test.sh, which starts PostgreSQL")
    })
}

impl PgDatabase {
    pub fn create() -> Self {
        let admin_url = admin_url();
        let name = format!(
            "plauder_t_{:016x}",
            u64::from_be_bytes(plauder::crypto::random_bytes::<8>().unwrap())
        );
        let mut admin = PgConnection::establish(&admin_url)
            .unwrap_or_else(|e| panic!("PostgreSQL at {ENV} unreachable: {e}"));
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .unwrap();
        let base = admin_url.rsplit_once('/').unwrap().0;
        Self {
            url: format!("{base}/{name}"),
            name,
            admin_url,
        }
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        if let Ok(mut admin) = PgConnection::establish(&self.admin_url) {
            let _ = admin.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}
