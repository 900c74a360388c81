//! One role's page: its permission matrix, rename, save with the guard rails (nobody
//! grants what they do not hold), delete.

use super::*;

/// One row of the matrix table.
pub struct AreaRow {
    pub key: &'static str,
    pub name: String,
    pub explanation: String,
    pub level: &'static str,
    pub scope: &'static str,
    pub scoped: bool,
}

#[derive(Template)]
#[template(path = "console/role_edit.html")]
struct EditPage {
    page: Chrome,
    id: i64,
    name: String,
    builtin: bool,
    fixed: bool,
    holders: i64,
    /// Members must give a reason to open personal data outside their own scope.
    reason_required: bool,
    /// Exports and bulk deletions of members wait for a second person's approval.
    four_eyes: bool,
    rows: Vec<AreaRow>,
    /// Field name and message.
    error: Option<(String, String)>,
    saved: bool,
}

impl EditPage {
    fn error_for(&self, name: &str) -> Option<&str> {
        self.error
            .as_ref()
            .filter(|(f, _)| f == name)
            .map(|(_, m)| m.as_str())
    }
}

fn rows_of(t: &Tr, matrix: &Matrix) -> Vec<AreaRow> {
    Area::ALL
        .into_iter()
        .map(|a| AreaRow {
            key: a.key(),
            name: t.fill(&format!("roles.area.{}", a.key()), &[]),
            explanation: t.fill(&format!("roles.explain.{}", a.key()), &[]),
            level: matrix.get(a).level.key(),
            scope: matrix.get(a).scope.key(),
            scoped: a.scoped(),
        })
        .collect()
}

/// A role as its page shows it: how many hold it, and whether it requires a reason.
pub(super) struct Loaded {
    pub role: Role,
    pub holders: i64,
    pub reason: bool,
    pub four_eyes: bool,
}

pub(super) async fn load(state: &AppState, id: RoleId) -> Result<Loaded, AppError> {
    state
        .blocking(move |conn, _| {
            let Some(role) = roles::by_id(conn, id)? else {
                return Ok(None);
            };
            Ok(Some(Loaded {
                role,
                holders: roles::holders(conn, id)?,
                reason: roles::reason_required(conn, id)?,
                four_eyes: crate::db::approvals::role_required(conn, id)?,
            }))
        })
        .await?
        .ok_or(AppError::NotFound)
}

struct Shown {
    name: String,
    matrix: Matrix,
    error: Option<(String, String)>,
    saved: bool,
}

fn render_edit(
    req: &HttpRequest,
    session: &Authenticated,
    loaded: &Loaded,
    shown: Shown,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let page = Chrome::new(req, Some(session))?;
    let role = &loaded.role;
    let view = EditPage {
        id: role.id.0,
        name: shown.name,
        builtin: role.builtin.is_some(),
        fixed: role.builtin == Some(Builtin::Admin),
        holders: loaded.holders,
        reason_required: loaded.reason,
        four_eyes: loaded.four_eyes,
        rows: rows_of(&page.t, &shown.matrix),
        error: shown.error,
        saved: shown.saved,
        page,
    };
    view.page.render(&view, status)
}

#[derive(serde::Deserialize)]
pub(super) struct ShowQuery {
    saved: Option<String>,
}

pub(super) async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
    path: web::Path<i64>,
    query: web::Query<ShowQuery>,
) -> Result<HttpResponse, AppError> {
    access::require(&session.actor, READ, Object::None)?;
    let loaded = load(&state, RoleId(path.into_inner())).await?;
    let t = Tr::new(crate::console::page::lang_of(&req));
    let shown = Shown {
        name: label(&t, &loaded.role),
        matrix: loaded.role.matrix,
        error: None,
        saved: query.saved.is_some(),
    };
    render_edit(&req, &session, &loaded, shown, StatusCode::OK)
}

/// The matrix a form describes, or the first field that holds no valid value.
fn matrix_of(form: &HashMap<String, String>) -> Result<Matrix, String> {
    let mut matrix = Matrix::empty();
    for area in Area::ALL {
        let level_field = format!("level_{}", area.key());
        let level = Level::parse(field(form, &level_field)).ok_or(level_field)?;
        let scope = if area.scoped() {
            let scope_field = format!("scope_{}", area.key());
            Scope::parse(field(form, &scope_field)).ok_or(scope_field)?
        } else {
            Scope::All
        };
        matrix.set(area, Grant { level, scope });
    }
    Ok(matrix)
}

/// The translated names of areas, for a refusal.
fn area_names(t: &Tr, areas: &[Area]) -> String {
    areas
        .iter()
        .map(|a| t.fill(&format!("roles.area.{}", a.key()), &[]))
        .collect::<Vec<_>>()
        .join(", ")
}

pub(super) async fn save(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
    path: web::Path<i64>,
    form: Fields,
) -> Result<HttpResponse, AppError> {
    access::require(&session.actor, EDIT, Object::None)?;
    csrf::verify(&req, Some(&session), form.get("csrf").map(String::as_str))?;
    let loaded = load(&state, RoleId(path.into_inner())).await?;
    let role = &loaded.role;
    let t = Tr::new(crate::console::page::lang_of(&req));
    let refuse = |status, name: String, matrix, field: &str, message: String| {
        let shown = Shown {
            name,
            matrix,
            error: Some((field.to_string(), message)),
            saved: false,
        };
        render_edit(&req, &session, &loaded, shown, status)
    };
    if role.builtin == Some(Builtin::Admin) {
        let message = t.get("roles.error.admin_fixed").to_string();
        return refuse(
            StatusCode::BAD_REQUEST,
            label(&t, role),
            role.matrix,
            "matrix",
            message,
        );
    }
    let typed = if role.builtin.is_some() {
        label(&t, role)
    } else {
        field(&form, "name").to_string()
    };
    let matrix = match matrix_of(&form) {
        Ok(m) => m,
        Err(bad) => {
            let message = t.fill("roles.error.field", &[("field", &bad)]);
            return refuse(StatusCode::BAD_REQUEST, typed, role.matrix, &bad, message);
        }
    };
    // Nobody changes a role they do not fully hold, nor grants more than they hold.
    for m in [role.matrix, matrix] {
        let grant = Object::Grant {
            role: Some(role.id),
            matrix: m,
        };
        if access::require(&session.actor, EDIT, grant).is_err() {
            let areas = session.actor.matrix.exceeded_by(&m);
            let message = t.fill(
                "roles.error.escalation",
                &[("areas", &area_names(&t, &areas))],
            );
            return refuse(StatusCode::FORBIDDEN, typed, matrix, "matrix", message);
        }
    }
    let name = if role.builtin.is_some() {
        None
    } else {
        match valid_name(&typed) {
            Some(n) => Some(n),
            None => {
                let message = t.get("roles.error.name").to_string();
                return refuse(StatusCode::BAD_REQUEST, typed, matrix, "name", message);
            }
        }
    };
    let (id, me) = (role.id, session.actor.staff);
    let saved = state
        .blocking(move |conn, st| {
            let now = st.clock.naive();
            if let Some(name) = &name {
                if roles::name_taken(conn, name, Some(id))? {
                    return Ok(false);
                }
            }
            // Name and matrix change together with their entry, or not at all.
            let entry = hooks::admin(now, me, Action::RoleChanged, audit::Object::role(id));
            let work = |conn: &mut DbConn| {
                if let Some(name) = &name {
                    roles::rename(conn, id, name, now)?;
                }
                roles::set_matrix(conn, id, &matrix, now)
            };
            hooks::change(conn, &st.ring, &entry, work, |changed| *changed)?;
            Ok(true)
        })
        .await;
    match saved {
        Ok(true) => {
            access_changed(&state, None);
            Ok(see_other(format!("/admin/roles/{}?saved=1", id.0)))
        }
        Err(e) if !name_clash(&e) => Err(e.into()),
        Ok(false) | Err(_) => {
            let message = t.get("roles.error.name_taken").to_string();
            refuse(StatusCode::BAD_REQUEST, typed, matrix, "name", message)
        }
    }
}

pub(super) async fn delete(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
    path: web::Path<i64>,
    form: Fields,
) -> Result<HttpResponse, AppError> {
    access::require(&session.actor, EDIT, Object::None)?;
    csrf::verify(&req, Some(&session), form.get("csrf").map(String::as_str))?;
    let loaded = load(&state, RoleId(path.into_inner())).await?;
    let role = &loaded.role;
    let t = Tr::new(crate::console::page::lang_of(&req));
    let grant = Object::Grant {
        role: Some(role.id),
        matrix: role.matrix,
    };
    access::require(&session.actor, EDIT, grant)?;
    let (id, me) = (role.id, session.actor.staff);
    let deleted = state
        .blocking(move |conn, st| {
            let now = st.clock.naive();
            let entry = hooks::admin(now, me, Action::RoleDeleted, audit::Object::role(id));
            let work = |c: &mut DbConn| roles::delete(c, id);
            hooks::change(conn, &st.ring, &entry, work, |deleted| *deleted)
        })
        .await;
    let key = match deleted {
        Ok(true) => {
            access_changed(&state, None);
            return Ok(see_other("/admin/roles".into()));
        }
        Ok(false) => return Err(AppError::NotFound),
        Err(DbError::Conflict(_)) if role.builtin.is_some() => "roles.error.builtin",
        Err(DbError::Conflict(_)) => "roles.error.in_use",
        Err(e) => return Err(e.into()),
    };
    let shown = Shown {
        name: label(&t, role),
        matrix: role.matrix,
        error: Some(("delete".into(), t.get(key).to_string())),
        saved: false,
    };
    render_edit(&req, &session, &loaded, shown, StatusCode::BAD_REQUEST)
}
