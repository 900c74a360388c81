//! A role's four-eyes flag: exports and bulk deletions by members of the role wait for a
//! second authorised person's approval (`db::approvals::gate`), whatever their size.
//! Changing it is a change of the role: the actor must hold the role's whole matrix (as for
//! any change of it), and it is audited as `role_changed`.

use super::matrix::load;
use super::*;
use crate::db::approvals;

pub(super) async fn save(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
    path: web::Path<i64>,
    form: Fields,
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
            let work = |c: &mut DbConn| approvals::set_role_required(c, id, required, now);
            hooks::change(conn, &st.ring, &entry, work, |changed| *changed)
        })
        .await?;
    if !done {
        return Err(AppError::NotFound);
    }
    Ok(see_other(format!("/admin/roles/{}?saved=1", id.0)))
}
