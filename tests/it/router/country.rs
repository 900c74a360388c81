//! Country rules with a test database made by `mmdb`: upload checks, lookups through a
//! trusted proxy's X-Forwarded-For, removal.

use super::{Ask, SHOP, add_rule, mmdb, upload, widget};
use crate::both_backends;
use crate::support::TestServer;

both_backends!(country_rules_use_the_uploaded_database, |db| {
    let server = TestServer::start_with(db, |c| {
        c.general.trusted_proxies = vec!["127.0.0.1".into()];
    });
    let mut admin = server.admin();
    let default = widget(&mut admin, "Shop", SHOP, "#0b5cad");
    let german = widget(&mut admin, "Shop DE", SHOP, "#aa2200");
    let from = |ip: &str| Ask::new(&default).header("X-Forwarded-For", ip);

    let page = admin.get("/admin/router");
    assert!(
        page.body.contains("id=\"geo-none\""),
        "the UI says country rules are off"
    );
    assert_eq!(
        add_rule(&mut admin, &[("country", "de, AT"), ("target", &german)]).status,
        303
    );
    let form = admin.get("/admin/router/new");
    assert!(form.body.contains("id=\"country-disabled\""));
    assert!(
        admin
            .get("/admin/router")
            .body
            .contains("inactive without a country database")
    );
    assert_eq!(
        from("192.0.2.7").pick(&server),
        default,
        "no database: rule off"
    );

    let csrf = page.csrf();
    let file = server.data_dir().join("geoip-country.mmdb");
    for (bad, message) in [
        (&b"not a database"[..], "not a valid MaxMind database"),
        (&b""[..], "No file was chosen"),
        (
            &mmdb::country_db("GeoLite2-ASN", &[("192.0.2.0", 24, "DE")])[..],
            "no country data",
        ),
    ] {
        let r = upload(server.addr, server.tls(), &admin, &csrf, bad);
        assert_eq!(r.status, 400, "{}", r.body);
        assert!(
            r.body.contains(message) && r.body.contains("id=\"geo-error\""),
            "{}",
            r.body
        );
        assert!(!file.exists(), "a refused upload stores nothing");
    }
    let r = upload(
        server.addr,
        server.tls(),
        &admin,
        "wrong",
        &mmdb::test_countries(),
    );
    assert_eq!(r.status, 403, "CSRF checked on the upload");
    assert!(!file.exists());

    let r = upload(
        server.addr,
        server.tls(),
        &admin,
        &csrf,
        &mmdb::test_countries(),
    );
    assert_eq!(
        (r.status, r.location()),
        (303, "/admin/router?done=geo"),
        "{}",
        r.body
    );
    assert_eq!(std::fs::read(&file).unwrap(), mmdb::test_countries());
    let page = admin.get("/admin/router");
    assert!(page.body.contains("GeoLite2-Country") && !page.body.contains("id=\"geo-none\""));
    assert_eq!(from("192.0.2.7").pick(&server), german, "DE");
    assert_eq!(
        from("::ffff:192.0.2.8").pick(&server),
        german,
        "IPv4-mapped DE"
    );
    assert_eq!(from("127.0.0.9").pick(&server), german, "AT");
    assert_eq!(from("198.51.100.1").pick(&server), default, "FR");
    assert_eq!(from("2001:db8::1").pick(&server), default, "CH");
    assert_eq!(from("203.0.113.5").pick(&server), default, "unknown");

    // A bad replacement keeps the working database.
    assert_eq!(
        upload(server.addr, server.tls(), &admin, &csrf, b"garbage").status,
        400
    );
    assert_eq!(from("192.0.2.7").pick(&server), german);

    // A restart loads the stored file.
    let reloaded = plauder::widget::route_rules::WidgetRouter::new(server.data_dir());
    assert_eq!(
        reloaded
            .geo()
            .unwrap()
            .country("192.0.2.1".parse().unwrap())
            .as_deref(),
        Some("DE")
    );

    let r = admin.post("/admin/router/geoip/delete", &[("csrf", &csrf)]);
    assert_eq!(
        (r.status, r.location()),
        (303, "/admin/router?done=geo-removed")
    );
    assert!(!file.exists());
    assert_eq!(
        from("192.0.2.7").pick(&server),
        default,
        "removed: rule off again"
    );
});
