//! Admin pages for chat widgets: list, create, edit, embed snippet.

use super::csrf;
use super::page::Chrome;
use super::session::Authenticated;
use crate::access::{self, Permission};
use crate::db::widgets::{self, Widget};
use crate::error::AppError;
use crate::state::AppState;
use crate::widget::lang::VisitorLang;
use crate::widget::privacy::WithdrawalPolicy;
use crate::widget::settings::{FieldError, WidgetForm};
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use askama::Template;
use serde::Deserialize;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(list)
        .service(new_form)
        .service(create)
        .service(edit_form)
        .service(update);
}

#[derive(Template)]
#[template(path = "console/widgets.html")]
struct ListPage {
    page: Chrome,
    widgets: Vec<Widget>,
}

#[derive(Template)]
#[template(path = "console/widget_form.html")]
struct FormPage {
    page: Chrome,
    form: WidgetForm,
    errors: Vec<FieldError>,
    public_id: Option<String>,
    snippet: Option<String>,
    saved: bool,
}

impl FormPage {
    /// The translated error of a field, for the template.
    fn error_for(&self, field: &str) -> Option<&'static str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| self.page.t.get(e.message))
    }

    /// The 24 visitor languages, each named in itself, for the default-language picker.
    fn visitor_langs(&self) -> Vec<(&'static str, &'static str)> {
        VisitorLang::choices()
    }
}

fn snippet(state: &AppState, public_id: &str) -> String {
    format!(
        "<script src=\"{}/widget.js\" data-widget=\"{public_id}\" async></script>",
        state.config.public_url()
    )
}

fn form_of(w: &Widget) -> WidgetForm {
    let s = &w.settings;
    WidgetForm {
        name: s.name.clone(),
        allowed_origins: s.allowed_origins.join("\n"),
        greeting: s.greeting.clone(),
        accent_color: s.accent_color.clone(),
        position: s.position.as_str().into(),
        default_lang: s.default_lang.code().into(),
        typing_preview: s.typing_preview.then(|| "on".into()),
        privacy_policy_url: s.privacy.policy_url.clone(),
        decline_contact: s.privacy.decline_contact.clone(),
        privacy_mode: s.privacy.privacy_mode.then(|| "on".into()),
        identity_recognition: s.privacy.identity_recognition.then(|| "on".into()),
        resumable_id: s.privacy.resumable_id.then(|| "on".into()),
        withdrawal_policy: s.privacy.withdrawal.as_str().into(),
    }
}

fn render(view: FormPage, status: StatusCode) -> Result<HttpResponse, AppError> {
    let html = view.render()?;
    Ok(view.page.respond(HttpResponse::build(status), html))
}

#[get("/admin/widgets")]
async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
) -> Result<HttpResponse, AppError> {
    access::require(&session.info.staff, Permission::ManageWidgets)?;
    let widgets = state.blocking(|conn, _| widgets::list(conn)).await?;
    let view = ListPage {
        page: Chrome::new(&req, Some(&session))?,
        widgets,
    };
    let html = view.render()?;
    Ok(view.page.respond(HttpResponse::Ok(), html))
}

#[get("/admin/widgets/new")]
async fn new_form(req: HttpRequest, session: Authenticated) -> Result<HttpResponse, AppError> {
    access::require(&session.info.staff, Permission::ManageWidgets)?;
    let page = Chrome::new(&req, Some(&session))?;
    let form = WidgetForm {
        accent_color: "#0b5cad".into(),
        position: "bottom-right".into(),
        default_lang: VisitorLang::FALLBACK.code().into(),
        // Privacy by default: a new widget starts in privacy mode.
        privacy_mode: Some("on".into()),
        withdrawal_policy: WithdrawalPolicy::default().as_str().into(),
        ..Default::default()
    };
    render(
        FormPage {
            page,
            form,
            errors: vec![],
            public_id: None,
            snippet: None,
            saved: false,
        },
        StatusCode::OK,
    )
}

#[derive(Deserialize)]
struct Submitted {
    csrf: Option<String>,
    #[serde(flatten)]
    form: WidgetForm,
}

#[post("/admin/widgets")]
async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
    body: web::Form<Submitted>,
) -> Result<HttpResponse, AppError> {
    access::require(&session.info.staff, Permission::ManageWidgets)?;
    csrf::verify(&req, Some(&session), body.csrf.as_deref())?;
    let form = body.into_inner().form;
    let settings = match form.validate() {
        Ok(s) => s,
        Err(errors) => {
            let page = Chrome::new(&req, Some(&session))?;
            return render(
                FormPage {
                    page,
                    form,
                    errors,
                    public_id: None,
                    snippet: None,
                    saved: false,
                },
                StatusCode::BAD_REQUEST,
            );
        }
    };
    let widget = state
        .blocking(move |conn, st| widgets::insert(conn, &settings, st.clock.naive()))
        .await?;
    Ok(HttpResponse::SeeOther()
        .insert_header((
            header::LOCATION,
            format!("/admin/widgets/{}?saved=1", widget.public_id),
        ))
        .finish())
}

async fn load(state: &AppState, public_id: String) -> Result<Widget, AppError> {
    state
        .blocking(move |conn, _| widgets::by_public_id(conn, &public_id))
        .await?
        .ok_or(AppError::NotFound)
}

#[derive(Deserialize)]
struct EditQuery {
    saved: Option<String>,
}

#[get("/admin/widgets/{public_id}")]
async fn edit_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
    path: web::Path<String>,
    query: web::Query<EditQuery>,
) -> Result<HttpResponse, AppError> {
    access::require(&session.info.staff, Permission::ManageWidgets)?;
    let widget = load(&state, path.into_inner()).await?;
    let page = Chrome::new(&req, Some(&session))?;
    let view = FormPage {
        page,
        form: form_of(&widget),
        errors: vec![],
        snippet: Some(snippet(&state, &widget.public_id)),
        public_id: Some(widget.public_id),
        saved: query.saved.is_some(),
    };
    render(view, StatusCode::OK)
}

#[post("/admin/widgets/{public_id}")]
async fn update(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
    path: web::Path<String>,
    body: web::Form<Submitted>,
) -> Result<HttpResponse, AppError> {
    access::require(&session.info.staff, Permission::ManageWidgets)?;
    csrf::verify(&req, Some(&session), body.csrf.as_deref())?;
    let widget = load(&state, path.into_inner()).await?;
    let form = body.into_inner().form;
    let settings = match form.validate() {
        Ok(s) => s,
        Err(errors) => {
            let page = Chrome::new(&req, Some(&session))?;
            let view = FormPage {
                page,
                form,
                errors,
                snippet: Some(snippet(&state, &widget.public_id)),
                public_id: Some(widget.public_id),
                saved: false,
            };
            return render(view, StatusCode::BAD_REQUEST);
        }
    };
    let id = widget.id;
    state
        .blocking(move |conn, st| widgets::update(conn, id, &settings, st.clock.naive()))
        .await?;
    Ok(HttpResponse::SeeOther()
        .insert_header((
            header::LOCATION,
            format!("/admin/widgets/{}?saved=1", widget.public_id),
        ))
        .finish())
}
