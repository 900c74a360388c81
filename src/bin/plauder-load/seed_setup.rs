//! What `seed` makes before the conversations (teams, widgets, staff) and how it proves
//! afterwards that the rows read back through the server's own code.

use crate::seed::SeedArgs;
use crate::seed_data;
use chrono::NaiveDateTime;
use plauder::crypto::KeyRing;
use plauder::db::search::{self, Filter, Reach};
use plauder::db::{DbConn, DbResult, staff, teams, widgets};

/// What the conversations are spread over.
pub struct Fixtures {
    /// (widget id, operators of its team)
    pub widgets: Vec<(i64, Vec<i64>)>,
    pub admin_password: String,
}

/// Two teams (the default one and "Team B"), widgets alternately in each, three
/// operators per team, and an admin whose password the benchmark signs in with.
pub fn fixtures(
    conn: &mut DbConn,
    ring: &KeyRing,
    count: u64,
    password: &str,
    now: NaiveDateTime,
) -> DbResult<Fixtures> {
    let bad = |e: String| plauder::db::DbError::Corrupt(e);
    let team_b = teams::create(conn, &format!("Team B {}", now.and_utc().timestamp()), now)?;
    let hash = plauder::auth::password::hash(password).map_err(|e| bad(e.to_string()))?;
    let admin = staff::NewStaff {
        username: "bench-dsr",
        email: None,
        role: staff::Role::Admin,
        password_hash: &hash,
    };
    staff::insert(conn, ring, &admin, now)?;
    let mut ops = [Vec::new(), Vec::new()];
    for (t, team) in [teams::DEFAULT_TEAM, team_b].into_iter().enumerate() {
        for k in 0..3 {
            let new = staff::NewStaff {
                username: &format!("bench-op{t}{k}"),
                email: None,
                role: staff::Role::Operator,
                password_hash: &hash,
            };
            let id = staff::insert(conn, ring, &new, now)?;
            teams::set_of_staff(conn, id, &[team])?;
            ops[t].push(id.0);
        }
    }
    let mut list = Vec::new();
    for w in 0..count.max(1) {
        let form = plauder::widget::settings::WidgetForm {
            name: format!("Bench widget {w}"),
            allowed_origins: crate::chat::BENCH_ORIGIN.into(),
            accent_color: "#0b5cad".into(),
            position: "bottom-right".into(),
            default_lang: "de".into(),
            ..Default::default()
        };
        let settings = form.validate().map_err(|e| bad(format!("{e:?}")))?;
        let widget = widgets::insert(conn, &settings, now)?;
        let t = usize::from(w % 2 == 1);
        if t == 1 {
            teams::route_widget(conn, widget.id, team_b)?;
        }
        list.push((widget.id.0, ops[t].clone()));
    }
    Ok(Fixtures {
        widgets: list,
        admin_password: password.to_string(),
    })
}

/// Reads a sample back through the server's own code: the known contact's conversations
/// found by e-mail search, their fields and messages decrypted.
pub fn verify(
    conn: &mut DbConn,
    ring: &KeyRing,
    args: &SeedArgs,
    known: Option<i64>,
) -> Result<(), String> {
    if args.known_contacts == 0 {
        return Ok(());
    }
    let mut check = || -> DbResult<Result<(), String>> {
        let filter = Filter {
            text: seed_data::KNOWN_EMAIL.to_uppercase(),
            ..Default::default()
        };
        let found = search::ids(conn, ring, &filter, &Reach::All, None, 1000)?;
        if found.ids.len() as u64 != args.known_conversations.min(args.conversations) {
            return Ok(Err(format!(
                "search found {} conversations of the known contact, not {}",
                found.ids.len(),
                args.known_conversations
            )));
        }
        let Some(first) = found.ids.first() else {
            return Ok(Ok(()));
        };
        let c = plauder::db::conversations::by_id(conn, *first)?
            .ok_or(plauder::db::DbError::Corrupt("gone".into()))?;
        let (name, email) = c.contact(ring)?;
        let msgs = plauder::db::messages::after(conn, ring, c.id, 0, true, 100)?;
        let fields = match known {
            Some(k) => {
                plauder::db::contacts::fields(conn, ring, plauder::db::contacts::ContactId(k))?
            }
            None => None,
        };
        let ok = name.as_deref() == Some("Known Person")
            && email.as_deref() == Some(seed_data::KNOWN_EMAIL)
            && msgs.len() as u64 == args.messages
            && fields.is_some_and(|f| f.email == seed_data::KNOWN_EMAIL && f.phone.is_some());
        Ok(if ok {
            Ok(())
        } else {
            Err("read-back of the known contact differs".into())
        })
    };
    check().map_err(|e| e.to_string())??;
    eprintln!("seed: verified (search, decryption of conversation, messages and contact)");
    Ok(())
}
