//! A role's four-eyes flag: exports and bulk deletions by members of the role wait for a
//! second authorised person's approval (`db::approvals::gate`), whatever their size.
//! Changing it is a change of the role: the actor must hold the role's whole matrix (as for
//! any change of it), and it is audited as `role_changed`.

use super::*;
use crate::db::approvals;

pub(super) async fn save(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
    path: web::Path<i64>,
    form: Fields,
) -> Result<HttpResponse, AppError> {
    super::reason::save_flag(
        req,
        state,
        session,
        path,
        form,
        approvals::set_role_required,
    )
    .await
}
