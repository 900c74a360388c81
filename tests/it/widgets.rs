//! Widget administration over real HTTPS.

use crate::both_backends;
use crate::support::client::Client;
use crate::support::{GOOD_PASSWORD, TestServer, add_staff};
use plauder::db::staff::Role;

pub const GOOD: [(&str, &str); 6] = [
    ("name", "Shop"),
    (
        "allowed_origins",
        "https://shop.example.de\nhttp://127.0.0.1:9999",
    ),
    ("greeting", "Hallo! Wie können wir helfen?"),
    ("accent_color", "#0b5cad"),
    ("position", "bottom-right"),
    ("default_lang", "de"),
];

/// Creates a widget through the admin UI; returns its public id.
pub fn create_widget(admin: &mut Client, fields: &[(&str, &str)]) -> String {
    let csrf = admin.get("/admin/widgets/new").csrf();
    let mut all = fields.to_vec();
    all.push(("csrf", &csrf));
    let r = admin.post("/admin/widgets", &all);
    assert_eq!(r.status, 303, "{}", r.body);
    r.location()
        .trim_start_matches("/admin/widgets/")
        .trim_end_matches("?saved=1")
        .to_string()
}

both_backends!(admin_creates_and_edits_a_widget, |db| {
    let server = TestServer::start(db);
    let mut admin = server.admin();
    assert!(admin.get("/admin/widgets").body.contains("No widget yet"));
    let id = create_widget(&mut admin, &GOOD);
    assert_eq!(id.len(), 22, "128-bit random public id: {id}");
    let other = create_widget(&mut admin, &GOOD);
    assert_ne!(id, other);
    let page = admin.get(&format!("/admin/widgets/{id}"));
    assert_eq!(page.status, 200);
    let snippet = format!(
        "&#60;script src=&#34;{}/widget.js&#34; data-widget=&#34;{id}&#34; async&#62;&#60;/script&#62;",
        server.config.public_url()
    );
    assert!(
        page.body.contains(&snippet),
        "embed snippet shown: {}",
        page.body
    );
    let list = admin.get("/admin/widgets");
    assert!(list.body.contains("https://shop.example.de") && list.body.contains(&id));

    let mut changed = GOOD.to_vec();
    changed[0] = ("name", "Support <b>desk</b>");
    changed.push(("typing_preview", "on"));
    let csrf = page.csrf();
    changed.push(("csrf", &csrf));
    let r = admin.post(&format!("/admin/widgets/{id}"), &changed);
    assert_eq!(r.status, 303);
    let page = admin.get(&format!("/admin/widgets/{id}"));
    assert!(
        page.body.contains("Support &#60;b&#62;desk&#60;/b&#62;"),
        "escaped"
    );
    assert!(page.body.contains("name=\"typing_preview\" checked"));
});

both_backends!(bad_widget_input_names_the_field_and_changes_nothing, |db| {
    let server = TestServer::start(db);
    let mut admin = server.admin();
    let csrf = admin.get("/admin/widgets/new").csrf();
    let cases = [
        ("name", ""),
        ("allowed_origins", "not a url"),
        ("accent_color", "blue"),
        ("position", "middle"),
        ("default_lang", "klingon"),
    ];
    for (field, value) in cases {
        let mut fields: Vec<(&str, &str)> =
            GOOD.iter().filter(|(k, _)| *k != field).copied().collect();
        fields.push((field, value));
        fields.push(("csrf", &csrf));
        let r = admin.post("/admin/widgets", &fields);
        assert_eq!(r.status, 400, "{field}");
        assert!(r.body.contains(&format!("id=\"{field}\"")), "{field}");
        assert!(r.body.contains("aria-invalid=\"true\""), "{field} marked");
        assert!(
            r.body.contains("class=\"field-error\""),
            "{field} explained"
        );
    }
    assert!(
        admin.get("/admin/widgets").body.contains("No widget yet"),
        "nothing stored"
    );
    let no_csrf: Vec<(&str, &str)> = GOOD.to_vec();
    assert_eq!(admin.post("/admin/widgets", &no_csrf).status, 403);
    assert_eq!(
        admin.get("/admin/widgets/doesnotexist00000000000").status,
        404
    );
});

both_backends!(operators_cannot_manage_widgets, |db| {
    let server = TestServer::start(db);
    add_staff(&server, "olga", Role::Operator, None);
    let mut olga = server.login("olga", GOOD_PASSWORD);
    assert_eq!(olga.get("/admin/widgets").status, 403);
    assert_eq!(olga.get("/admin/widgets/new").status, 403);
    let csrf = olga.get("/admin").csrf();
    let mut fields = GOOD.to_vec();
    fields.push(("csrf", &csrf));
    assert_eq!(olga.post("/admin/widgets", &fields).status, 403);
    let mut anonymous = server.client();
    assert_eq!(anonymous.get("/admin/widgets").location(), "/login");
});
