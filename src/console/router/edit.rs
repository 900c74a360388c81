//! Changes to the router rules: create, update, delete, reorder. Each reloads the
//! in-memory rule snapshot after its commit.

use super::*;

#[derive(Deserialize)]
pub(super) struct Submitted {
    csrf: Option<String>,
    #[serde(flatten)]
    form: RuleForm,
}

fn back_to_list(done: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, format!("/admin/router?done={done}")))
        .finish()
}

/// Validates and saves a new (`id` None) or changed rule, then reloads the rules.
async fn save(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
    body: Submitted,
    id: Option<RuleId>,
) -> Result<HttpResponse, AppError> {
    access::require(
        &session.actor,
        Permission::Edit(Area::Widgets),
        Object::None,
    )?;
    csrf::verify(&req, Some(&session), body.csrf.as_deref())?;
    let form = body.form;
    let checked = form.clone();
    let outcome = state
        .blocking(move |conn, st| {
            let widgets = widgets::list(conn)?;
            let spec = match checked.validate(&widgets) {
                Ok(spec) => spec,
                Err(errors) => return Ok(Err(errors)),
            };
            let now = st.clock.naive();
            let found = match id {
                Some(id) => route_rules::update(conn, id, &spec, now)?,
                None => route_rules::insert(conn, &spec, now).map(|_| true)?,
            };
            st.widget_router.reload(conn)?;
            Ok(Ok(found))
        })
        .await?;
    match outcome {
        Ok(true) => Ok(back_to_list("saved")),
        Ok(false) => Err(AppError::NotFound),
        Err(errors) => form_page(&req, &state, &session, Some(form), errors, id).await,
    }
}

pub(super) async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
    body: web::Form<Submitted>,
) -> Result<HttpResponse, AppError> {
    save(req, state, session, body.into_inner(), None).await
}

pub(super) async fn update(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
    path: web::Path<i64>,
    body: web::Form<Submitted>,
) -> Result<HttpResponse, AppError> {
    let id = RuleId(path.into_inner());
    save(req, state, session, body.into_inner(), Some(id)).await
}

#[derive(Deserialize)]
pub(super) struct CsrfOnly {
    csrf: Option<String>,
}

pub(super) async fn delete(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
    path: web::Path<i64>,
    body: web::Form<CsrfOnly>,
) -> Result<HttpResponse, AppError> {
    access::require(
        &session.actor,
        Permission::Edit(Area::Widgets),
        Object::None,
    )?;
    csrf::verify(&req, Some(&session), body.csrf.as_deref())?;
    let id = RuleId(path.into_inner());
    let found = state
        .blocking(move |conn, st| {
            let found = route_rules::delete(conn, id)?;
            st.widget_router.reload(conn)?;
            Ok(found)
        })
        .await?;
    if found {
        Ok(back_to_list("deleted"))
    } else {
        Err(AppError::NotFound)
    }
}

#[derive(Deserialize)]
pub(super) struct MoveForm {
    csrf: Option<String>,
    direction: String,
}

pub(super) async fn move_rule(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
    path: web::Path<i64>,
    body: web::Form<MoveForm>,
) -> Result<HttpResponse, AppError> {
    access::require(
        &session.actor,
        Permission::Edit(Area::Widgets),
        Object::None,
    )?;
    csrf::verify(&req, Some(&session), body.csrf.as_deref())?;
    let direction = match body.direction.as_str() {
        "up" => Direction::Up,
        "down" => Direction::Down,
        _ => {
            return Err(AppError::BadRequest(
                "direction: must be `up` or `down`".into(),
            ));
        }
    };
    let id = RuleId(path.into_inner());
    state
        .blocking(move |conn, st| {
            let moved = route_rules::move_rule(conn, id, direction, st.clock.naive())?;
            if moved {
                st.widget_router.reload(conn)?;
            }
            Ok(moved)
        })
        .await?;
    // Moving the first rule up is a harmless no-op; an unknown id is the same.
    Ok(back_to_list("saved"))
}
