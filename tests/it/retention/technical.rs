//! IP addresses and the other technical details are gone 24 hours after capture; the
//! conversation itself stays. Ended sessions go too.

use super::{Chat, advance, chat, exists, now, rows, run, widget};
use crate::both_backends;
use crate::support::TestServer;
use chrono::TimeDelta;
use plauder::jobs::Job;

both_backends!(ip_data_is_gone_after_24_hours, |db| {
    let server = TestServer::start(db);
    let shop = widget(&server, "Shop", "12", "delete_now");
    let id = chat(&server, shop, now(&server), &Chat::default());
    let read = |server: &TestServer| {
        plauder::db::visitor_meta::for_conversation(
            &mut server.conn(),
            &server.state.ring,
            id,
            now(server),
        )
        .unwrap()
    };
    assert_eq!(
        read(&server).unwrap().meta.ip.as_deref(),
        Some("203.0.113.9"),
        "the probe sees the planted address"
    );
    advance(&server, TimeDelta::hours(22));
    let (_, counts) = run(&server, Job::Technical);
    assert_eq!(counts.get("technical"), 0, "younger than a day: kept");
    assert!(read(&server).is_some());
    advance(&server, TimeDelta::hours(2));
    let (_, counts) = run(&server, Job::Technical);
    assert_eq!(counts.get("technical"), 1);
    assert!(
        read(&server).is_none(),
        "address, browser and the rest are gone"
    );
    assert_eq!(rows(&server, "conversation_meta"), 0);
    assert!(exists(&server, id), "the conversation stays");
    assert_eq!(rows(&server, "messages"), 2);
});

both_backends!(ended_sessions_are_removed, |db| {
    let server = TestServer::start(db);
    let _admin = server.admin();
    assert_eq!(rows(&server, "sessions"), 1);
    let (_, counts) = run(&server, Job::Sessions);
    assert_eq!(counts.get("sessions"), 0, "a live session stays");
    advance(&server, TimeDelta::hours(13));
    let (_, counts) = run(&server, Job::Sessions);
    assert_eq!(counts.get("sessions"), 1, "past the absolute timeout");
    assert_eq!(rows(&server, "sessions"), 0);
});
