//! Roles, teams and the one permission check: every route × every built-in role × scopes
//! (routes.rs), the console socket's commands and events (sockets.rs), escalation and the
//! last admin (guards.rs). The fixture here builds two teams with a widget each, one account
//! per role and conversations in each scope.

mod guards;
mod queue;
mod reason_console;
mod routes;
mod sockets;

use crate::support::{GOOD_PASSWORD, TestServer, add_staff};
use plauder::access::{Area, Grant, Level, Matrix, Scope};
use plauder::clock::Clock as _;
use plauder::db::conversations::{self, ConversationId, NewConversation};
use plauder::db::roles::{self, Builtin, RoleId};
use plauder::db::staff::{self, StaffId};
use plauder::db::teams::{self, DEFAULT_TEAM, TeamId};
use plauder::db::widgets::{self, WidgetId};

/// The roles under test: the five built-in ones and a custom role limited to its own chats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    Admin,
    Supervisor,
    Operator,
    Dpo,
    Auditor,
    /// Custom role: conversations edit with scope "own", canned read.
    Own,
}

impl Who {
    pub const ALL: [Who; 6] = [
        Who::Supervisor,
        Who::Operator,
        Who::Dpo,
        Who::Auditor,
        Who::Own,
        // Last: its allowed POSTs change things the others' requests do not need.
        Who::Admin,
    ];

    pub fn user(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Supervisor => "sup",
            Self::Operator => "op",
            Self::Dpo => "dpo",
            Self::Auditor => "aud",
            Self::Own => "own",
        }
    }

    /// The oracle: what each role holds, written out independently of the migration's seed
    /// (a change of the seed must change this table deliberately).
    pub fn holds(self, area: Area, level: Level) -> bool {
        use Area::*;
        let granted: &[(Area, Level)] = match self {
            Self::Admin => return true,
            Self::Supervisor => &[
                (Conversations, Level::Edit),
                (Contacts, Level::Read),
                (Exports, Level::Read),
                (Widgets, Level::Read),
                (Canned, Level::Edit),
                (Staff, Level::Read),
                (Statistics, Level::Read),
            ],
            Self::Operator => &[
                (Conversations, Level::Edit),
                (Contacts, Level::Read),
                (Canned, Level::Read),
            ],
            Self::Dpo => &[
                (Conversations, Level::Read),
                (Contacts, Level::Edit),
                (Exports, Level::Edit),
                (Deletions, Level::Edit),
                (Widgets, Level::Read),
                (Staff, Level::Read),
                (Audit, Level::Read),
                (Settings, Level::Read),
            ],
            Self::Auditor => &[(Audit, Level::Read)],
            Self::Own => &[(Conversations, Level::Edit), (Canned, Level::Read)],
        };
        granted.iter().any(|(a, l)| *a == area && *l >= level)
    }

    /// Scope of conversations, for the roles that reach any.
    pub fn scope(self) -> Scope {
        match self {
            Self::Admin | Self::Dpo => Scope::All,
            Self::Supervisor | Self::Operator => Scope::Team,
            Self::Own | Self::Auditor => Scope::Own,
        }
    }
}

/// A conversation of the fixture with who it belongs to.
#[derive(Debug, Clone, Copy)]
pub struct Conv {
    pub id: ConversationId,
    pub team_a: bool,
    pub holder: Option<&'static str>,
}

pub struct World {
    pub server: TestServer,
    pub team_b: TeamId,
    pub widget_a: String,
    pub widget_b: String,
    pub ids: Vec<(&'static str, StaffId)>,
    /// Team A unassigned, team A held by admin, team B unassigned, team A held by "own".
    pub convs: [Conv; 4],
}

impl World {
    pub fn id(&self, user: &str) -> StaffId {
        self.ids.iter().find(|(n, _)| *n == user).unwrap().1
    }

    /// Whether `who` may see `c`, by the scope rules written out here.
    pub fn visible(&self, who: Who, c: &Conv) -> bool {
        let mine = c.holder == Some(who.user());
        match who.scope() {
            Scope::All => true,
            // Every account of the fixture is in team A only.
            Scope::Team => mine || c.team_a,
            Scope::Own => mine || (c.holder.is_none() && c.team_a),
        }
    }
}

pub fn grant(level: Level, scope: Scope) -> Grant {
    Grant { level, scope }
}

/// A widget made the way the admin UI makes it, routed to `team`.
pub fn widget_in(server: &TestServer, name: &str, team: TeamId) -> (WidgetId, String) {
    let form = plauder::widget::settings::WidgetForm {
        name: name.into(),
        allowed_origins: crate::visitor::SITE.into(),
        greeting: "Moin!".into(),
        accent_color: "#0b5cad".into(),
        position: "bottom-right".into(),
        default_lang: "de".into(),
        ..Default::default()
    };
    let settings = form.validate().unwrap();
    let now = server.clock.now().naive_utc();
    let mut conn = server.conn();
    let w = widgets::insert(&mut conn, &settings, now).unwrap();
    assert!(teams::route_widget(&mut conn, w.id, team).unwrap());
    (w.id, w.public_id)
}

fn conversation(server: &TestServer, widget: WidgetId, holder: Option<StaffId>) -> ConversationId {
    let now = server.clock.now().naive_utc();
    let mut conn = server.conn();
    let token = plauder::crypto::random_bytes::<32>().unwrap();
    let new = NewConversation {
        widget,
        token_hash: &token,
        offline: false,
        name: Some("Erika Mustermann"),
        email: None,
    };
    let id = conversations::create(&mut conn, &server.state.ring, &new, now).unwrap();
    if let Some(staff) = holder {
        assert!(conversations::take(&mut conn, id, staff, now).unwrap());
    }
    id
}

/// A custom role with conversations "edit" limited to the own chats, and canned "read".
pub fn own_role(server: &TestServer) -> RoleId {
    let mut m = Matrix::empty();
    m.set(Area::Conversations, grant(Level::Edit, Scope::Own));
    m.set(Area::Canned, grant(Level::Read, Scope::All));
    let now = server.clock.now().naive_utc();
    roles::create(&mut server.conn(), "Nur eigene", &m, now).unwrap()
}

pub fn world(db: crate::support::Db) -> World {
    let server = TestServer::start(db);
    let now = server.clock.now().naive_utc();
    let team_b = teams::create(&mut server.conn(), "Team B", now).unwrap();
    let (widget_a_id, widget_a) = widget_in(&server, "Shop A", DEFAULT_TEAM);
    let (widget_b_id, widget_b) = widget_in(&server, "Shop B", team_b);
    let mut ids = vec![(
        "admin",
        staff::by_username(&mut server.conn(), "admin")
            .unwrap()
            .unwrap()
            .id,
    )];
    for (name, role) in [
        ("sup", Builtin::Supervisor),
        ("op", Builtin::Operator),
        ("dpo", Builtin::Dpo),
        ("aud", Builtin::Auditor),
        ("own", Builtin::Operator),
    ] {
        ids.push((name, add_staff(&server, name, role, None)));
    }
    let own_role = own_role(&server);
    let own = ids[5].1;
    assert!(staff::set_access(&mut server.conn(), own, own_role, &[DEFAULT_TEAM], now).unwrap());
    let admin = ids[0].1;
    let convs = [
        Conv {
            id: conversation(&server, widget_a_id, None),
            team_a: true,
            holder: None,
        },
        Conv {
            id: conversation(&server, widget_a_id, Some(admin)),
            team_a: true,
            holder: Some("admin"),
        },
        Conv {
            id: conversation(&server, widget_b_id, None),
            team_a: false,
            holder: None,
        },
        Conv {
            id: conversation(&server, widget_a_id, Some(own)),
            team_a: true,
            holder: Some("own"),
        },
    ];
    World {
        server,
        team_b,
        widget_a,
        widget_b,
        ids,
        convs,
    }
}

/// A signed-in client of `who`.
pub fn login(w: &World, who: Who) -> crate::support::client::Client {
    match who {
        Who::Admin => w.server.admin(),
        other => w.server.login(other.user(), GOOD_PASSWORD),
    }
}
