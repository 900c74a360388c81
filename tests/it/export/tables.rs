//! CSV and Excel exports parse back (csv crate, calamine) and hold exactly the selected
//! conversations, umlauts intact, formulas neutralised, each export audited.

use super::{FORMULA, audit_head, chat, exported_since, fetch};
use crate::access::{Who, login, world};
use crate::both_backends;
use calamine::{Data, Reader, Xlsx};
use plauder::db::messages::Sender;

fn csv_rows(body: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
    let bom = "\u{feff}".as_bytes();
    assert!(body.starts_with(bom), "UTF-8 byte-order mark for Excel");
    let mut r = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_reader(&body[bom.len()..]);
    let headers = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|row| row.unwrap().iter().map(String::from).collect())
        .collect();
    (headers, rows)
}

both_backends!(csv_and_xlsx_hold_exactly_the_selection, |db| {
    let w = world(db);
    let s = &w.server;
    let widget = plauder::db::widgets::by_public_id(&mut s.conn(), &w.widget_a)
        .unwrap()
        .unwrap()
        .id;
    let admin = w.id("admin");
    let first = chat(
        s,
        widget,
        Some("Jürgen Größe-Übel"),
        Some("juergen@example.de"),
        Some(admin),
        &[
            (Sender::Visitor, "Grüß Gott, ich hätte gern Auskunft."),
            (Sender::Operator, "Gern, einen Moment bitte."),
            (Sender::Note, "Stammkunde"),
        ],
    );
    let second = chat(
        s,
        widget,
        Some(FORMULA),
        None,
        None,
        &[(Sender::Visitor, FORMULA), (Sender::Visitor, "-1+2")],
    );
    let not_selected = chat(
        s,
        widget,
        Some("Nicht Ausgewählt"),
        None,
        None,
        &[(Sender::Visitor, "Zeile-die-fehlen-muss")],
    );
    let mut client = login(&w, Who::Admin);
    let query = format!("id={}&id={}", first.0, second.0);

    // CSV, one row per conversation.
    let before = audit_head(s);
    let r = fetch(
        s,
        &client,
        &format!("/console/conversations/export?format=csv&{query}"),
    );
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.header("content-type"), Some("text/csv; charset=utf-8"));
    assert!(
        r.header("content-disposition")
            .unwrap()
            .starts_with("attachment;")
    );
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let (headers, rows) = csv_rows(&r.body);
    assert_eq!(headers.len(), 12);
    assert_eq!(headers[0], "Conversation");
    let ids: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(ids, [first.0.to_string(), second.0.to_string()]);
    let text = r.text();
    assert!(!text.contains("Zeile-die-fehlen-muss") && !text.contains("Nicht Ausgewählt"));
    let a = &rows[0];
    assert_eq!(a[1], "Shop A");
    assert_eq!(a[6], "admin", "operator by user name");
    assert_eq!(a[7], "Jürgen Größe-Übel");
    assert_eq!(a[8], "juergen@example.de");
    assert!(!a[9].is_empty(), "contact id");
    assert_eq!(a[10], "3");
    assert!(
        a[11].contains("] Visitor: Grüß Gott, ich hätte gern Auskunft."),
        "{}",
        a[11]
    );
    assert!(a[11].contains("] Operator (admin): Gern, einen Moment bitte."));
    assert!(a[11].contains("] Internal note (admin): Stammkunde"));
    let b = &rows[1];
    assert_eq!(b[7], format!("'{FORMULA}"), "a formula name is neutralised");
    assert!(
        b[11].starts_with('['),
        "the transcript cell never starts a formula"
    );
    assert_eq!(
        exported_since(s, before),
        [
            ("none".to_string(), None, "ok".to_string()),
            ("conversation".into(), Some(first.0), "ok".into()),
            ("conversation".into(), Some(second.0), "ok".into()),
        ],
        "one entry per export and one per conversation"
    );

    // CSV, one row per message: the message itself is neutralised.
    let r = fetch(
        s,
        &client,
        &format!("/console/conversations/export?format=csv&rows=messages&{query}"),
    );
    assert_eq!(r.status, 200);
    let (headers, rows) = csv_rows(&r.body);
    assert_eq!(
        headers,
        ["Conversation", "No.", "Time", "From", "Operator", "Text"]
    );
    assert_eq!(rows.len(), 5);
    let texts: Vec<&str> = rows.iter().map(|r| r[5].as_str()).collect();
    assert!(texts.contains(&format!("'{FORMULA}").as_str()), "{texts:?}");
    assert!(texts.contains(&"'-1+2"));
    assert!(texts.contains(&"Grüß Gott, ich hätte gern Auskunft."));

    // Excel, in German: string cells, the same rows, no formula anywhere.
    client.accept_language = "de".into();
    let before = audit_head(s);
    let r = fetch(
        s,
        &client,
        &format!("/console/conversations/export?format=xlsx&{query}"),
    );
    assert_eq!(r.status, 200);
    assert_eq!(
        r.header("content-type"),
        Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    );
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(r.body)).unwrap();
    assert_eq!(book.sheet_names(), ["Gespräche"]);
    let range = book.worksheet_range("Gespräche").unwrap();
    let rows: Vec<&[Data]> = range.rows().collect();
    assert_eq!(rows.len(), 3, "header and exactly the two selected");
    assert_eq!(rows[0][0], Data::String("Gespräch".into()));
    assert_eq!(
        rows[1][0],
        Data::String(first.0.to_string()),
        "ids stay exact strings"
    );
    assert_eq!(rows[2][0], Data::String(second.0.to_string()));
    assert_eq!(rows[1][7], Data::String("Jürgen Größe-Übel".into()));
    assert_eq!(rows[2][7], Data::String(format!("'{FORMULA}")));
    assert_eq!(rows[1][10], Data::Float(3.0));
    let Data::String(transcript) = &rows[1][11] else {
        panic!("transcript is a string cell")
    };
    assert!(transcript.contains("] Besucher: Grüß Gott"));
    let formulas = book.worksheet_formula("Gespräche").unwrap();
    assert!(
        formulas.used_cells().all(|(_, _, f)| f.is_empty()),
        "no cell is a formula"
    );
    assert_eq!(exported_since(s, before).len(), 3);

    // Excel, one row per message: a formula message is a neutralised string cell.
    let r = fetch(
        s,
        &client,
        &format!("/console/conversations/export?format=xlsx&rows=messages&{query}"),
    );
    assert_eq!(r.status, 200);
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(r.body)).unwrap();
    let range = book.worksheet_range("Nachrichten").unwrap();
    assert_eq!(range.height(), 6);
    assert!(
        range
            .rows()
            .any(|row| row[5] == Data::String(format!("'{FORMULA}")))
    );
    let _ = not_selected;
});

both_backends!(bad_export_queries_are_refused_plainly, |db| {
    let w = world(db);
    let s = &w.server;
    let client = login(&w, Who::Admin);
    let id = w.convs[0].id.0;
    let before = audit_head(s);
    for (query, says) in [
        (format!("id={id}"), "format"),
        (format!("format=pdf&id={id}"), "format"),
        (
            "format=csv&widget=%27%20OR%201=1%20--".to_string(),
            "widget",
        ),
        ("format=csv&from=31.01.2026".to_string(), "dates"),
        ("format=csv&id=abc".to_string(), "id"),
        (format!("format=csv&rows=cells&id={id}"), "rows"),
        (format!("format=csv&id={id}&request=x"), "request"),
    ] {
        let r = fetch(
            s,
            &client,
            &format!("/console/conversations/export?{query}"),
        );
        assert_eq!(r.status, 400, "{query}");
        assert!(r.text().contains(says), "{query}: {}", r.text());
    }
    let many: Vec<String> = (1..=1001).map(|i| format!("id={i}")).collect();
    let r = fetch(
        s,
        &client,
        &format!(
            "/console/conversations/export?format=csv&{}",
            many.join("&")
        ),
    );
    assert_eq!(r.status, 400, "{}", r.text());
    assert!(exported_since(s, before).is_empty(), "nothing was exported");
    // A data-subject request that does not exist refuses the export.
    let r = fetch(
        s,
        &client,
        &format!("/console/conversations/export?format=csv&id={id}&request=4242"),
    );
    assert_eq!(r.status, 400, "{}", r.text());
    assert_eq!(
        exported_since(s, before),
        [("none".to_string(), None, "failed".to_string())],
        "only the refusal is recorded"
    );
});
