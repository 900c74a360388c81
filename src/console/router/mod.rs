//! Admin pages for the widget router: the ordered rule list, add/edit/delete/move. Every
//! change is a CSRF-checked POST by someone with `ManageRouter`, refused whole (400, field
//! named) when any field is wrong, and reloads the in-memory rules right after.
//! The country database upload lives in `router_geoip`.

mod edit;

use edit::{create, delete, move_rule, update};

use super::csrf;
use super::session::Authenticated;
use crate::access::{self, Area, Object, Permission};
use crate::console::page::Chrome;
use crate::db::route_rules::{self, Direction, RuleId, StoredRule};
use crate::db::widgets::{self, Widget};
use crate::error::AppError;
use crate::http::routes::{Routes, Rule};
use crate::state::AppState;
use crate::widget::route_rules::{Device, GeoInfo, RuleError, RuleForm, RuleSpec, UrlKind};
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

pub fn mount(r: &mut Routes<'_>) {
    r.get(
        "/admin/router",
        Rule::Staff(Permission::Read(Area::Widgets)),
        list,
    );
    r.get(
        "/admin/router/new",
        Rule::Staff(Permission::Edit(Area::Widgets)),
        new_form,
    );
    r.get(
        "/admin/router/{id:\\d+}",
        Rule::Staff(Permission::Read(Area::Widgets)),
        edit_form,
    );
    r.post(
        "/admin/router",
        Rule::Staff(Permission::Edit(Area::Widgets)),
        create,
    );
    r.post(
        "/admin/router/{id:\\d+}",
        Rule::Staff(Permission::Edit(Area::Widgets)),
        update,
    );
    r.post(
        "/admin/router/{id:\\d+}/delete",
        Rule::Staff(Permission::Edit(Area::Widgets)),
        delete,
    );
    r.post(
        "/admin/router/{id:\\d+}/move",
        Rule::Staff(Permission::Edit(Area::Widgets)),
        move_rule,
    );
}

/// One rule as the list shows it.
pub struct RuleView {
    pub id: i64,
    pub number: usize,
    pub url_kind: &'static str,
    pub url_pattern: String,
    pub ua_contains: String,
    pub device: Option<&'static str>,
    pub langs: String,
    pub countries: String,
    pub target: String,
    pub first: bool,
    pub last: bool,
}

#[derive(Template)]
#[template(path = "console/router.html")]
pub struct ListPage {
    pub page: Chrome,
    pub rules: Vec<RuleView>,
    pub has_widgets: bool,
    pub geo: Option<GeoInfo>,
    pub notice: Option<&'static str>,
    /// An upload that was refused: i18n key and technical detail.
    pub geo_error: Option<(&'static str, String)>,
}

#[derive(Template)]
#[template(path = "console/router_form.html")]
struct FormPage {
    page: Chrome,
    form: RuleForm,
    errors: Vec<RuleError>,
    rule_id: Option<i64>,
    widgets: Vec<Widget>,
    geo_enabled: bool,
    kinds: [UrlKind; 3],
    devices: [Device; 3],
}

impl FormPage {
    fn error_for(&self, field: &str) -> Option<&RuleError> {
        self.errors.iter().find(|e| e.field == field)
    }

    fn message(&self, e: &RuleError) -> &'static str {
        self.page.t.get(e.message)
    }

    fn kind_label(&self, kind: &UrlKind) -> &'static str {
        kind_key(*kind)
    }

    fn device_label(&self, device: &Device) -> &'static str {
        device_key(*device)
    }
}

fn kind_key(kind: UrlKind) -> &'static str {
    match kind {
        UrlKind::Prefix => "router.kind.prefix",
        UrlKind::Glob => "router.kind.glob",
        UrlKind::Regex => "router.kind.regex",
    }
}

fn device_key(device: Device) -> &'static str {
    match device {
        Device::Mobile => "router.device.mobile",
        Device::Tablet => "router.device.tablet",
        Device::Desktop => "router.device.desktop",
    }
}

fn views(rules: &[StoredRule], widgets: &[Widget]) -> Vec<RuleView> {
    let count = rules.len();
    rules
        .iter()
        .enumerate()
        .map(|(i, r)| RuleView {
            id: r.id.0,
            number: i + 1,
            url_kind: kind_key(r.spec.url_kind),
            url_pattern: r.spec.url_pattern.clone(),
            ua_contains: r.spec.ua_contains.clone(),
            device: r.spec.device.map(device_key),
            langs: r.spec.langs.join(", "),
            countries: r.spec.countries.join(", "),
            target: widgets
                .iter()
                .find(|w| w.id == r.spec.target)
                .map(|w| w.settings.name.clone())
                .unwrap_or_default(),
            first: i == 0,
            last: i + 1 == count,
        })
        .collect()
}

fn form_of(spec: &RuleSpec, widgets: &[Widget]) -> RuleForm {
    RuleForm {
        url_kind: spec.url_kind.as_str().into(),
        url_pattern: spec.url_pattern.clone(),
        ua_contains: spec.ua_contains.clone(),
        device: spec.device.map(Device::as_str).unwrap_or("").into(),
        lang: spec.langs.join(", "),
        country: spec.countries.join(", "),
        target: widgets
            .iter()
            .find(|w| w.id == spec.target)
            .map(|w| w.public_id.clone())
            .unwrap_or_default(),
    }
}

/// The list page with the given notice or upload error; used by `router_geoip` too.
pub async fn list_page(
    req: &HttpRequest,
    state: &AppState,
    session: &Authenticated,
    notice: Option<&'static str>,
    geo_error: Option<(&'static str, String)>,
) -> Result<ListPage, AppError> {
    let (rules, widgets) = state
        .blocking(|conn, _| Ok((route_rules::list(conn)?, widgets::list(conn)?)))
        .await?;
    Ok(ListPage {
        page: Chrome::new(req, Some(session))?,
        rules: views(&rules, &widgets),
        has_widgets: !widgets.is_empty(),
        geo: state.widget_router.geo().map(|g| g.info.clone()),
        notice,
        geo_error,
    })
}

#[derive(Deserialize)]
struct ListQuery {
    done: Option<String>,
}

async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    access::require(
        &session.actor,
        Permission::Read(Area::Widgets),
        Object::None,
    )?;
    let notice = match query.done.as_deref() {
        Some("saved") => Some("router.saved"),
        Some("deleted") => Some("router.deleted"),
        Some("geo") => Some("router.geo.installed"),
        Some("geo-removed") => Some("router.geo.removed"),
        _ => None,
    };
    let view = list_page(&req, &state, &session, notice, None).await?;
    view.page.render(&view, StatusCode::OK)
}

async fn form_page(
    req: &HttpRequest,
    state: &AppState,
    session: &Authenticated,
    form: Option<RuleForm>,
    errors: Vec<RuleError>,
    rule_id: Option<RuleId>,
) -> Result<HttpResponse, AppError> {
    let (widgets, stored) = state
        .blocking(move |conn, _| {
            let stored = match rule_id {
                Some(id) => route_rules::by_id(conn, id)?,
                None => None,
            };
            Ok((widgets::list(conn)?, stored))
        })
        .await?;
    if rule_id.is_some() && stored.is_none() {
        return Err(AppError::NotFound);
    }
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let form = form
        .or_else(|| stored.map(|s| form_of(&s.spec, &widgets)))
        .unwrap_or_else(|| RuleForm {
            url_kind: UrlKind::Prefix.as_str().into(),
            ..Default::default()
        });
    let view = FormPage {
        page: Chrome::new(req, Some(session))?,
        form,
        errors,
        rule_id: rule_id.map(|r| r.0),
        widgets,
        geo_enabled: state.widget_router.geo().is_some(),
        kinds: UrlKind::ALL,
        devices: Device::ALL,
    };
    view.page.render(&view, status)
}

async fn new_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
) -> Result<HttpResponse, AppError> {
    access::require(
        &session.actor,
        Permission::Edit(Area::Widgets),
        Object::None,
    )?;
    form_page(&req, &state, &session, None, vec![], None).await
}

async fn edit_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    access::require(
        &session.actor,
        Permission::Read(Area::Widgets),
        Object::None,
    )?;
    let id = RuleId(path.into_inner());
    form_page(&req, &state, &session, None, vec![], Some(id)).await
}
