//! The fixture's figures, exactly, in the CSV and on the page; and how operators appear in
//! each naming mode.

use super::{FROM, PERIOD, TO, export, fixture, set_naming};
use crate::both_backends;
use plauder::clock::Clock as _;

const HEAD: [&str; 12] = [
    "section",
    "from",
    "to",
    "key",
    "name",
    "team",
    "conversations",
    "missed",
    "replied",
    "first_reply_median_seconds",
    "first_reply_p90_seconds",
    "duration_median_seconds",
];

/// The figure cells of the row of `section` whose key (or, with `by_name`, name) matches.
fn figures<'a>(rows: &'a [Vec<String>], section: &str, key: &str) -> &'a [String] {
    let row = rows
        .iter()
        .find(|r| r[0] == section && (r[3] == key || r[4] == key))
        .unwrap_or_else(|| panic!("no {section} row {key}: {rows:?}"));
    assert_eq!((row[1].as_str(), row[2].as_str()), (FROM, TO));
    &row[6..]
}

fn cells(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

both_backends!(exact_figures_per_day_week_team_widget_operator, |db| {
    let f = fixture(db);
    set_naming(&f, "named");
    let mut admin = f.server.admin();
    let (raw, rows) = export(&mut admin);
    assert_eq!(rows[0], cells(&HEAD));
    // conversations, missed, replied, median / p90 first reply, median duration (seconds).
    let total = cells(&["6", "2", "4", "75", "300", "900"]);
    assert_eq!(figures(&rows, "total", ""), total.as_slice());
    assert_eq!(figures(&rows, "week", "2026-W10"), total.as_slice());
    let days: Vec<(&str, Vec<String>)> = vec![
        ("2026-03-02", cells(&["2", "0", "2", "60", "90", "900"])),
        ("2026-03-03", cells(&["1", "1", "0", "", "", "120"])),
        ("2026-03-04", cells(&["2", "1", "1", "300", "300", ""])),
        ("2026-03-05", cells(&["1", "0", "1", "60", "60", "1800"])),
        ("2026-03-06", cells(&["0", "0", "0", "", "", ""])),
        ("2026-03-07", cells(&["0", "0", "0", "", "", ""])),
        ("2026-03-08", cells(&["0", "0", "0", "", "", ""])),
    ];
    for (day, want) in &days {
        assert_eq!(figures(&rows, "day", day), want.as_slice(), "{day}");
    }
    assert_eq!(rows.iter().filter(|r| r[0] == "day").count(), 7);
    let shop = cells(&["4", "1", "3", "90", "300", "600"]);
    let cmd = cells(&["2", "1", "1", "60", "60", "1800"]);
    assert_eq!(
        figures(&rows, "widget", &f.shop.0.to_string()),
        shop.as_slice()
    );
    assert_eq!(
        figures(&rows, "widget", &f.cmd.0.to_string()),
        cmd.as_slice()
    );
    assert_eq!(figures(&rows, "team", "1"), shop.as_slice());
    assert_eq!(
        figures(&rows, "team", &f.team_b.to_string()),
        cmd.as_slice()
    );
    let widget_row = rows
        .iter()
        .find(|r| r[0] == "widget" && r[3] == f.cmd.0.to_string());
    assert_eq!(
        widget_row.unwrap()[5],
        "Team Süd",
        "a widget names its team"
    );
    // Holders count conversations and duration; the sender of the first reply its time.
    let erika = cells(&["2", "0", "3", "60", "300", "600"]);
    let max = cells(&["2", "0", "1", "90", "90", "1500"]);
    assert_eq!(
        figures(&rows, "operator", &f.erika.0.to_string()),
        erika.as_slice()
    );
    assert_eq!(
        figures(&rows, "operator", &f.max.0.to_string()),
        max.as_slice()
    );
    assert!(
        rows.iter().any(|r| r[4] == "erika.op"),
        "named by user name"
    );
    assert_eq!(rows.len(), 1 + 1 + 7 + 1 + 2 + 2 + 2, "{rows:?}");
    // A formula-looking cell is neutralised, and reads back as text.
    assert!(raw.contains("\"'=cmd\""), "{raw}");
    assert!(!raw.contains(",\"=cmd\""));
    assert!(rows.iter().any(|r| r[4] == "'=cmd"));
    assert!(!raw.contains("Geheimtext") && !raw.contains("Mustermann"));

    // The page shows the same figures in readable units.
    let page = admin.get(&format!("/admin/statistics?{PERIOD}"));
    assert_eq!(page.status, 200, "{}", page.body);
    let totals = &page.body[page.body.find("id=\"totals\"").unwrap()..];
    let totals = &totals[..totals.find("</dl>").unwrap()];
    for shown in [
        "<dd>6</dd>",
        "<dd>2</dd>",
        "<dd>1 min 15 s</dd>",
        "<dd>5 min 00 s</dd>",
        "<dd>15 min 00 s</dd>",
    ] {
        assert!(totals.contains(shown), "{shown} in {totals}");
    }
    for shown in [
        "2026-W10",
        "2026-03-08",
        "Shop Nord",
        "Team Süd",
        "erika.op",
        "max.op",
        "25 min 00 s",
    ] {
        assert!(page.body.contains(shown), "{shown}");
    }
    assert!(
        page.body.contains("&#61;cmd") || page.body.contains("=cmd"),
        "escaped widget name"
    );
    assert!(
        page.body.contains("id=\"missed-meaning\""),
        "the page says what missed means"
    );
    assert!(page.body.contains("offline message"));
    assert!(!page.body.contains("Geheimtext") && !page.body.contains("Mustermann"));
    // Default period: the last 30 days up to the server's today, which is empty here.
    let default = admin.get("/admin/statistics");
    assert_eq!(default.status, 200);
    let today = f.server.clock.now().date_naive();
    let start = today - chrono::TimeDelta::days(29);
    assert!(default.body.contains(&format!("value=\"{start}\"")));
    assert!(default.body.contains(&format!("value=\"{today}\"")));
    assert!(default.body.contains("(30 days"));
});

both_backends!(anonymised_operators_are_numbered_and_never_named, |db| {
    let f = fixture(db);
    let mut admin = f.server.admin();
    // The probe: named mode shows the user names.
    set_naming(&f, "named");
    let named = admin.get(&format!("/admin/statistics?{PERIOD}")).body;
    assert!(named.contains("erika.op") && named.contains("max.op"));
    set_naming(&f, "anonymised");
    let page = admin.get(&format!("/admin/statistics?{PERIOD}"));
    assert_eq!(page.status, 200);
    let (raw, rows) = export(&mut admin);
    for text in [&page.body, &raw] {
        assert!(
            !text.contains("erika.op") && !text.contains("max.op"),
            "{text}"
        );
        assert!(text.contains("Operator 1") && text.contains("Operator 2"));
        assert!(!text.contains("Operator 3"));
    }
    let ops: Vec<&Vec<String>> = rows.iter().filter(|r| r[0] == "operator").collect();
    assert_eq!(ops.len(), 2);
    assert!(ops.iter().all(|r| r[3].is_empty()), "no staff id either");
    // Both operators' figures are there, under numbers; page and CSV agree on them.
    let mut got: Vec<Vec<String>> = ops.iter().map(|r| r[6..].to_vec()).collect();
    got.sort();
    assert_eq!(
        got,
        vec![
            ["2", "0", "1", "90", "90", "1500"]
                .map(String::from)
                .to_vec(),
            ["2", "0", "3", "60", "300", "600"]
                .map(String::from)
                .to_vec(),
        ]
    );
    let first = ops.iter().find(|r| r[4] == "Operator 1").unwrap();
    let row_start = page.body.find(">Operator 1</td>").unwrap();
    let duration = seconds_shown(&first[11]);
    assert!(
        page.body[row_start..]
            .split("</tr>")
            .next()
            .unwrap()
            .contains(&duration)
    );
    assert_eq!(export(&mut admin).1, rows, "stable within the report");
});

/// How the page shows a whole number of seconds (only the values the fixture has).
pub fn seconds_shown(secs: &str) -> String {
    match secs {
        "600" => "10 min 00 s".into(),
        "1500" => "25 min 00 s".into(),
        other => panic!("no display for {other}"),
    }
}

both_backends!(omitted_operators_leave_no_trace, |db| {
    let f = fixture(db);
    set_naming(&f, "omitted");
    let mut admin = f.server.admin();
    let page = admin.get(&format!("/admin/statistics?{PERIOD}"));
    assert_eq!(page.status, 200);
    assert!(page.body.contains("id=\"operators-omitted\""));
    assert!(!page.body.contains("erika.op") && !page.body.contains("Operator 1"));
    assert!(
        !page.body.contains(">Operator<"),
        "no operator table heading"
    );
    let (raw, rows) = export(&mut admin);
    assert!(rows.iter().all(|r| r[0] != "operator"), "{raw}");
    assert!(!raw.contains("erika.op") && !raw.contains("Operator 1"));
    assert!(rows.iter().any(|r| r[0] == "widget"), "the rest is there");
});
