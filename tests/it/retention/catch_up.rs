//! A run missed while the server was down runs soon after start, once, for the tick it
//! missed; switched-off jobs never run.

use crate::both_backends;
use crate::support::TestServer;
use chrono::TimeDelta;
use plauder::clock::Clock as _;
use plauder::config::JobsConfig;
use plauder::jobs::{Job, run_record, scheduler, status};

const DAILY: &str = "0 0 3 * * *";

fn only_sessions() -> JobsConfig {
    JobsConfig {
        expiry: String::new(),
        technical: String::new(),
        sessions: DAILY.into(),
        audit: String::new(),
        dsr: String::new(),
        backup: String::new(),
        ..Default::default()
    }
}

both_backends!(a_missed_run_catches_up_after_start, |db| {
    let server = TestServer::start_with(db, |c| c.jobs = only_sessions());
    let catch_up = |server: &TestServer| {
        let state = server.state.clone();
        actix_web::rt::System::new().block_on(async move { scheduler::catch_up(&state).await });
    };
    let runs = |server: &TestServer, job| run_record::of_job(&mut server.conn(), job).unwrap();
    assert_eq!(
        status::missed_tick(&mut server.conn(), Job::Sessions, DAILY, server.clock.now()).unwrap(),
        None,
        "a fresh installation has missed no tick from before it existed"
    );
    // Down over the first tick after the installation.
    server.clock.advance(TimeDelta::days(1));
    let tick = status::previous_tick(DAILY, server.clock.now()).unwrap();
    assert_eq!(
        status::missed_tick(&mut server.conn(), Job::Sessions, DAILY, server.clock.now()).unwrap(),
        Some(tick),
        "no run for the last tick: missed"
    );

    catch_up(&server);
    let made = runs(&server, Job::Sessions);
    assert_eq!(made.len(), 1, "{made:?}");
    assert_eq!((made[0].cause.as_str(), made[0].due_at), ("catch_up", tick));
    assert_eq!(made[0].status, "ok");
    for job in Job::ALL.into_iter().filter(|j| *j != Job::Sessions) {
        assert!(
            runs(&server, job).is_empty(),
            "{} is switched off",
            job.name()
        );
    }

    catch_up(&server);
    assert_eq!(
        runs(&server, Job::Sessions).len(),
        1,
        "caught up: nothing to make up"
    );

    // Down over the next tick: the next start makes up that one.
    server.clock.advance(TimeDelta::days(1));
    catch_up(&server);
    let made = runs(&server, Job::Sessions);
    assert_eq!(made.len(), 2);
    assert_eq!(made[1].due_at, tick + TimeDelta::days(1));
});
