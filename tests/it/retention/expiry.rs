//! Conversation expiry: exactly what is past its widget's period goes (with messages,
//! consents, technical data and contacts no longer named), nothing a day younger; "never"
//! keeps; withdrawn consents per policy; chats without consent after 24 hours; dry runs
//! delete nothing; every run is recorded with an audit entry of counts only.

use super::{Chat, advance, chat, exists, now, rows, run, widget};
use crate::both_backends;
use crate::support::TestServer;
use chrono::{Months, TimeDelta};
use diesel::prelude::*;
use plauder::db::schema::{audit_log, contacts, erasure_journal};
use plauder::jobs::{self, Job, run_record};

fn contact_count(server: &TestServer) -> i64 {
    contacts::table
        .count()
        .get_result(&mut *server.conn())
        .unwrap()
}

both_backends!(
    expiry_deletes_what_is_past_its_period_and_nothing_a_day_younger,
    |db| {
        let server = TestServer::start(db);
        let shop = widget(&server, "Shop", "3", "delete_now");
        let archive = widget(&server, "Archiv", "never", "keep_until_retention");
        let t = now(&server);
        let three_months = t.checked_sub_months(Months::new(3)).unwrap();
        let past = three_months - TimeDelta::hours(1);
        let day_younger = three_months + TimeDelta::days(1);
        let mail = |e| Chat {
            email: Some(e),
            ..Default::default()
        };
        let old = chat(&server, shop, past, &mail("alt@example.de"));
        // The same person came back a day later: the contact must stay with that chat.
        let old_shared = chat(&server, shop, past, &mail("wieder@example.de"));
        let young_shared = chat(&server, shop, day_younger, &mail("wieder@example.de"));
        let young = chat(&server, shop, day_younger, &Chat::default());
        let kept_forever = chat(
            &server,
            archive,
            t - TimeDelta::days(4 * 365),
            &Chat::default(),
        );
        assert_eq!(contact_count(&server), 2);
        assert_eq!(rows(&server, "messages"), 10);

        let (run_id, counts) = run(&server, Job::Expiry);
        assert!(!exists(&server, old) && !exists(&server, old_shared));
        assert!(exists(&server, young) && exists(&server, young_shared));
        assert!(exists(&server, kept_forever), "never means never");
        assert_eq!(counts.get("conversations"), 2, "{counts:?}");
        assert_eq!(counts.get("messages"), 4, "{counts:?}");
        assert_eq!(counts.get("consents"), 2, "{counts:?}");
        assert_eq!(counts.get("technical"), 2, "{counts:?}");
        assert_eq!(
            counts.get("contacts"),
            1,
            "only the contact no chat names any more"
        );
        assert_eq!(rows(&server, "messages"), 6);
        assert_eq!(rows(&server, "consents"), 3);
        assert_eq!(rows(&server, "conversation_meta"), 3);
        assert_eq!(contact_count(&server), 1);
        let journal: Vec<(i64, String)> = erasure_journal::table
            .select((erasure_journal::conversation_id, erasure_journal::action))
            .order(erasure_journal::conversation_id.asc())
            .load(&mut *server.conn())
            .unwrap();
        let mut expected = vec![
            (old.0, "expired".to_string()),
            (old_shared.0, "expired".into()),
        ];
        expected.sort();
        assert_eq!(journal, expected, "a restore replays the expiry");

        // The run is recorded, with an audit entry of counts only (actor system, object job).
        let record = run_record::of_job(&mut server.conn(), Job::Expiry).unwrap();
        assert_eq!(record.len(), 1);
        assert_eq!((record[0].id, record[0].status.as_str()), (run_id, "ok"));
        assert_eq!(record[0].removed, counts);
        assert!(record[0].finished_at.is_some() && record[0].error.is_none());
        let entry: (String, String, String, Option<i64>, Option<String>, String) = audit_log::table
            .filter(audit_log::action.eq("job_run"))
            .select((
                audit_log::actor,
                audit_log::object_type,
                audit_log::outcome,
                audit_log::object_id,
                audit_log::reason,
                audit_log::action,
            ))
            .first(&mut *server.conn())
            .unwrap();
        assert_eq!(
            (
                entry.0.as_str(),
                entry.1.as_str(),
                entry.2.as_str(),
                entry.3
            ),
            ("system", "job", "ok", Some(run_id))
        );
        let reason = entry.4.unwrap();
        assert!(
            reason.starts_with("expiry: ") && reason.contains("conversations=2"),
            "{reason}"
        );
        assert!(
            !reason.contains("example.de") && !reason.contains("Erika"),
            "{reason}"
        );

        // A day later the younger ones are past their period too; the kept contact goes with
        // its last conversation.
        advance(&server, TimeDelta::days(1) + TimeDelta::minutes(1));
        let (_, counts) = run(&server, Job::Expiry);
        assert_eq!(counts.get("conversations"), 2, "{counts:?}");
        assert!(!exists(&server, young) && !exists(&server, young_shared));
        assert!(exists(&server, kept_forever));
        assert_eq!(contact_count(&server), 0);
        assert_eq!(rows(&server, "job_runs"), 2);
    }
);

both_backends!(a_dry_run_counts_and_deletes_nothing, |db| {
    let server = TestServer::start(db);
    let shop = widget(&server, "Shop", "1", "delete_now");
    let past = now(&server) - TimeDelta::days(40);
    for n in 0..3 {
        let email = format!("kunde{n}@example.de");
        chat(
            &server,
            shop,
            past,
            &Chat {
                email: Some(&email),
                messages: 5,
                ..Default::default()
            },
        );
    }
    chat(&server, shop, now(&server), &Chat::default());
    let before: Vec<i64> = [
        "conversations",
        "messages",
        "consents",
        "contacts",
        "conversation_meta",
    ]
    .iter()
    .map(|t| rows(&server, t))
    .collect();
    let dry = jobs::dry_run(&server.state, Job::Expiry).unwrap();
    assert_eq!(dry.get("conversations"), 3, "{dry:?}");
    assert_eq!(dry.get("messages"), 15, "{dry:?}");
    assert_eq!(dry.get("contacts"), 3, "{dry:?}");
    let after: Vec<i64> = [
        "conversations",
        "messages",
        "consents",
        "contacts",
        "conversation_meta",
    ]
    .iter()
    .map(|t| rows(&server, t))
    .collect();
    assert_eq!(before, after, "a dry run deletes nothing");
    assert_eq!(rows(&server, "job_runs"), 0, "and records no run");
    let (_, real) = run(&server, Job::Expiry);
    assert_eq!(real, dry, "the dry run counted what the run removed");
});

both_backends!(withdrawn_and_unconsented_chats_follow_their_rules, |db| {
    let server = TestServer::start(db);
    let now_policy = widget(&server, "Sofort", "12", "delete_now");
    let keep_policy = widget(&server, "Behalten", "12", "keep_until_retention");
    let t = now(&server);
    let withdrawn_now = chat(
        &server,
        now_policy,
        t - TimeDelta::hours(1),
        &Chat::default(),
    );
    let withdrawn_kept = chat(
        &server,
        keep_policy,
        t - TimeDelta::hours(1),
        &Chat::default(),
    );
    for id in [withdrawn_now, withdrawn_kept] {
        plauder::db::erasure::withdraw_and_close(&mut server.conn(), id, t).unwrap();
    }
    let no_consent = Chat {
        consent: false,
        ..Default::default()
    };
    let unconsented_old = chat(&server, keep_policy, t - TimeDelta::hours(25), &no_consent);
    let unconsented_new = chat(&server, keep_policy, t - TimeDelta::hours(23), &no_consent);
    let (_, counts) = run(&server, Job::Expiry);
    assert!(
        !exists(&server, withdrawn_now),
        "delete-now policy: gone at the next run"
    );
    assert!(
        exists(&server, withdrawn_kept),
        "kept until the retention period"
    );
    assert!(!exists(&server, unconsented_old) && exists(&server, unconsented_new));
    assert_eq!(
        (counts.get("withdrawn"), counts.get("unconsented")),
        (1, 1),
        "{counts:?}"
    );
    // Twelve months after the withdrawal the kept one goes too.
    advance(&server, TimeDelta::days(366));
    run(&server, Job::Expiry);
    assert!(!exists(&server, withdrawn_kept));
});

both_backends!(a_failed_run_is_recorded_and_audited, |db| {
    let server = TestServer::start(db);
    let shop = widget(&server, "Shop", "12", "delete_now");
    // A widget row edited by hand into nonsense makes the expiry fail.
    diesel::sql_query(format!(
        "UPDATE widget_privacy SET withdrawal_policy = 'kaputt' WHERE widget_id = {}",
        shop.0
    ))
    .execute(&mut *server.conn())
    .unwrap();
    let outcome = jobs::run(
        &server.state,
        Job::Expiry,
        jobs::Cause::Manual,
        now(&server),
    )
    .unwrap();
    let jobs::Outcome::Ran {
        error: Some(error),
        run: failed,
        ..
    } = outcome
    else {
        panic!("expected a failed run: {outcome:?}");
    };
    assert!(error.contains("withdrawal policy"), "{error}");
    let record = run_record::of_job(&mut server.conn(), Job::Expiry).unwrap();
    assert_eq!(
        (record[0].id, record[0].status.as_str()),
        (failed, "failed")
    );
    assert_eq!(record[0].error.as_deref(), Some(error.as_str()));
    let outcome: String = audit_log::table
        .filter(audit_log::action.eq("job_run"))
        .filter(audit_log::object_id.eq(failed))
        .select(audit_log::outcome)
        .first(&mut *server.conn())
        .unwrap();
    assert_eq!(outcome, "failed");
    // The next claim is free again: the failed run does not hold the job.
    diesel::sql_query("UPDATE widget_privacy SET withdrawal_policy = 'delete_now'")
        .execute(&mut *server.conn())
        .unwrap();
    super::advance(&server, TimeDelta::minutes(1));
    run(&server, Job::Expiry);
});
