//! A role's "reason required" flag: members of the role must type why before they open
//! personal data outside their own scope (`access::reason_needed`), and the reason goes into
//! that read's audit entry. Changing it is a change of the role: the actor must hold the
//! role's whole matrix (as for any change of it), and it is audited as `role_changed`.

use super::matrix::load;
use super::*;

pub(super) async fn save(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
    path: web::Path<i64>,
    form: Fields,
) -> Result<HttpResponse, AppError> {
    save_flag(req, state, session, path, form, roles::set_reason_required).await
}

/// Sets one of a role's yes/no flags (reason required, four-eyes) from its check box: the
/// same permission checks, CSRF and `role_changed` entry for each flag.
pub(super) async fn save_flag(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
    path: web::Path<i64>,
    form: Fields,
    set: fn(&mut DbConn, RoleId, bool, chrono::NaiveDateTime) -> crate::db::DbResult<bool>,
) -> Result<HttpResponse, AppError> {
    access::require(&session.actor, EDIT, Object::None)?;
    csrf::verify(&req, Some(&session), form.get("csrf").map(String::as_str))?;
    let role = load(&state, RoleId(path.into_inner())).await?.role;
    let grant = Object::Grant {
        role: Some(role.id),
        matrix: role.matrix,
    };
    access::require(&session.actor, EDIT, grant)?;
    // A check box: sent as "on" when ticked, absent when not.
    let required = match field(&form, "required") {
        "" => false,
        "on" => true,
        other => {
            return Err(AppError::BadRequest(format!(
                "required: `{other}` is neither ticked nor empty"
            )));
        }
    };
    let (id, me) = (role.id, session.actor.staff);
    let done = state
        .blocking(move |conn, st| {
            let now = st.clock.naive();
            let entry = hooks::admin(now, me, Action::RoleChanged, audit::Object::role(id));
            let work = |c: &mut DbConn| set(c, id, required, now);
            hooks::change(conn, &st.ring, &entry, work, |changed| *changed)
        })
        .await?;
    if !done {
        return Err(AppError::NotFound);
    }
    Ok(see_other(format!("/admin/roles/{}?saved=1", id.0)))
}
