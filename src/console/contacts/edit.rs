//! `/console/contacts/{id}/edit`: rectification (GDPR Art. 16) of a contact's name, e-mail
//! address, phone number and customer id. Values are validated, sealed and re-indexed in
//! one transaction with a `contact_changed` entry that names the changed fields (never
//! their values, `audit::Field`). An address another contact has is refused with the offer
//! to merge the two instead. The conversations keep what their visitor typed. The form
//! shows the stored values: where the role demands a reason (`show::needed`), the GET asks
//! it first and `/edit/open` shows the form with the reason in its `contact_viewed` entry.

use super::show::{needed, reason_needed};
use super::{EDIT, Stop, decide, entry, link_request, request_id};
use crate::access::{self, Object};
use crate::audit::{self, Action, Field};
use crate::console::csrf;
use crate::console::page::Chrome;
use crate::console::reason_form::{self, ReasonForm, Step, What};
use crate::console::session::Authenticated;
use crate::db::contact_edit::{self, Saved};
use crate::db::contacts::{ContactFields, ContactId};
use crate::error::AppError;
use crate::http::routes::{Routes, Rule};
use crate::state::AppState;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

pub fn mount(r: &mut Routes<'_>) {
    r.get("/console/contacts/{id}/edit", Rule::Staff(EDIT), form);
    r.post("/console/contacts/{id}/edit/open", Rule::Staff(EDIT), form);
    r.post("/console/contacts/{id}/edit", Rule::Staff(EDIT), save);
}

/// Longest e-mail address, name and customer id kept; longest phone number.
const MAX_EMAIL: usize = 200;
const MAX_NAME: usize = 200;
const MAX_CUSTOMER_ID: usize = 64;
const MAX_PHONE: usize = 40;

#[derive(Debug, Default, Deserialize)]
pub struct EditForm {
    pub csrf: Option<String>,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub customer_id: String,
    pub request: Option<String>,
}

/// A field's problem: the field's name and the message's i18n key.
pub type Problem = (&'static str, &'static str);

fn valid_email(v: &str) -> bool {
    let Some((local, domain)) = v.split_once('@') else {
        return false;
    };
    v.chars().count() <= MAX_EMAIL
        && !local.is_empty()
        && !domain.is_empty()
        && !domain.contains('@')
        && !v.chars().any(|c| c.is_whitespace() || c.is_control())
}

fn valid_phone(v: &str) -> bool {
    let digits = v.chars().filter(char::is_ascii_digit).count();
    v.chars().count() <= MAX_PHONE
        && digits >= 3
        && v.chars()
            .enumerate()
            .all(|(i, c)| c.is_ascii_digit() || " -/().".contains(c) || (c == '+' && i == 0))
}

fn plain(v: &str, max: usize) -> bool {
    v.chars().count() <= max && !v.chars().any(char::is_control)
}

/// The form's values, trimmed, as they will be stored; or every problem found.
pub fn validate(form: &EditForm) -> Result<ContactFields, Vec<Problem>> {
    let optional = |v: &str| Some(v.trim().to_string()).filter(|v| !v.is_empty());
    let mut problems = Vec::new();
    let email = form.email.trim().to_string();
    if !valid_email(&email) {
        problems.push(("email", "contact.error.email"));
    }
    let name = optional(&form.name);
    if name.as_deref().is_some_and(|v| !plain(v, MAX_NAME)) {
        problems.push(("name", "contact.error.name"));
    }
    let phone = optional(&form.phone);
    if phone.as_deref().is_some_and(|v| !valid_phone(v)) {
        problems.push(("phone", "contact.error.phone"));
    }
    let customer_id = optional(&form.customer_id);
    if customer_id
        .as_deref()
        .is_some_and(|v| !plain(v, MAX_CUSTOMER_ID))
    {
        problems.push(("customer_id", "contact.error.customer_id"));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(ContactFields {
        email,
        name,
        phone,
        customer_id,
    })
}

/// Which fields differ: what the audit entry names.
pub fn changed(old: &ContactFields, new: &ContactFields) -> Vec<Field> {
    let mut out = Vec::new();
    if old.name != new.name {
        out.push(Field::Name);
    }
    if old.email != new.email {
        out.push(Field::Email);
    }
    if old.phone != new.phone {
        out.push(Field::Phone);
    }
    if old.customer_id != new.customer_id {
        out.push(Field::CustomerId);
    }
    out
}

#[derive(Template)]
#[template(path = "console/contact_edit.html")]
struct EditPage {
    page: Chrome,
    id: i64,
    form: EditForm,
    problems: Vec<Problem>,
    /// The address belongs to another contact: `Some(Some(id))` when the actor may merge
    /// with it, `Some(None)` when it is outside their reach.
    taken: Option<Option<i64>>,
}

impl EditPage {
    fn request_value(&self) -> Option<&str> {
        self.form.request.as_deref()
    }

    fn problem(&self, field: &str) -> Option<&'static str> {
        self.problems
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, key)| *key)
    }
}

fn render(
    req: &HttpRequest,
    session: &Authenticated,
    id: ContactId,
    form: EditForm,
    problems: Vec<Problem>,
    taken: Option<Option<i64>>,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let view = EditPage {
        page: Chrome::new(req, Some(session))?,
        id: id.0,
        form,
        problems,
        taken,
    };
    view.page.render(&view, status)
}

#[derive(Deserialize)]
struct FormQuery {
    request: Option<String>,
}

/// The plain GET, and the POST of the reason form (its address, or `<path>/open` before a
/// change; a body that is no form counts as the plain GET: it reads nothing more): the
/// form where a reason is needed and none qualifying came, else the page.
async fn form(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
    path: web::Path<i64>,
    query: web::Query<FormQuery>,
    sent: Option<web::Form<ReasonForm>>,
) -> Result<HttpResponse, AppError> {
    access::require(&session.actor, EDIT, Object::None)?;
    let id = ContactId(path.into_inner());
    let ask = needed(&state, &session.actor, id);
    match reason_form::step(
        &req,
        &session,
        What::ContactChange,
        sent.map(web::Form::into_inner),
        ask,
    )
    .await?
    {
        Step::Ask(form) => Ok(form),
        Step::Open(reason) => shown(req, state, session, id, query.into_inner(), reason).await,
    }
}

/// The form with the stored values: an audited read like the contact's page.
async fn shown(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
    id: ContactId,
    query: FormQuery,
    reason: Option<String>,
) -> Result<HttpResponse, AppError> {
    let actor = session.actor.clone();
    let fields = state
        .blocking(move |conn, st| {
            let typed = reason.is_some();
            let mut entry = entry(st.clock.naive(), &actor, Action::ContactViewed, id);
            entry.reason = reason;
            audit::read_or(
                conn,
                &st.ring,
                entry,
                |conn| {
                    let convs = match decide(conn, &actor, EDIT, id)? {
                        Ok(convs) => convs,
                        Err(refused) => return Ok(Err(refused)),
                    };
                    // Asked before the form was shown; asked again here, where it binds.
                    if !typed && reason_needed(conn, &actor, id, &convs)? {
                        return Ok(Err(reason_form::missing()));
                    }
                    Ok(contact_edit::load(conn, &st.ring, id)?
                        .map(|r| r.fields)
                        .ok_or(AppError::NotFound))
                },
                audit::hooks::outcome_of,
            )
        })
        .await??;
    let form = EditForm {
        csrf: None,
        email: fields.email,
        name: fields.name.unwrap_or_default(),
        phone: fields.phone.unwrap_or_default(),
        customer_id: fields.customer_id.unwrap_or_default(),
        request: query.request,
    };
    render(&req, &session, id, form, Vec::new(), None, StatusCode::OK)
}

enum Done {
    Saved,
    Unchanged,
    Taken(Option<i64>),
}

async fn save(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Authenticated,
    path: web::Path<i64>,
    form: web::Form<EditForm>,
) -> Result<HttpResponse, AppError> {
    access::require(&session.actor, EDIT, Object::None)?;
    csrf::verify(&req, Some(&session), form.csrf.as_deref())?;
    let id = ContactId(path.into_inner());
    let form = form.into_inner();
    let request = request_id(form.request.as_deref())?;
    let new = match validate(&form) {
        Ok(new) => new,
        Err(problems) => {
            let status = StatusCode::BAD_REQUEST;
            return render(&req, &session, id, form, problems, None, status);
        }
    };
    let actor = session.actor.clone();
    let done = state
        .blocking(move |conn, st| {
            let now = st.clock.naive();
            let done = crate::db::write_transaction(conn, |conn| -> Result<Done, Stop> {
                decide(conn, &actor, EDIT, id)??;
                let old = contact_edit::load(conn, &st.ring, id)?.ok_or(AppError::NotFound)?;
                let fields = changed(&old.fields, &new);
                if fields.is_empty() {
                    return Ok(Done::Unchanged);
                }
                match contact_edit::update(conn, &st.ring, id, &new, now)? {
                    Saved::Done => {}
                    Saved::Missing => return Err(AppError::NotFound.into()),
                    Saved::Taken(other) => {
                        let reachable = decide(conn, &actor, EDIT, other)?.is_ok();
                        return Ok(Done::Taken(reachable.then_some(other.0)));
                    }
                }
                let entry = entry(now, &actor, Action::ContactChanged, id).fields(&fields);
                audit::record(conn, &st.ring, &entry)?;
                link_request(conn, request, "rectified", "contact", id.0, now)?;
                Ok(Done::Saved)
            });
            Ok(done)
        })
        .await?
        .map_err(AppError::from)?;
    let to = |done: &str| {
        HttpResponse::SeeOther()
            .insert_header((
                header::LOCATION,
                format!("/console/contacts/{}?done={done}", id.0),
            ))
            .finish()
    };
    match done {
        Done::Saved => Ok(to("saved")),
        Done::Unchanged => Ok(to("unchanged")),
        Done::Taken(other) => {
            let problems = vec![("email", "contact.error.email_taken")];
            let status = StatusCode::CONFLICT;
            render(&req, &session, id, form, problems, Some(other), status)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(email: &str, name: &str, phone: &str, customer_id: &str) -> EditForm {
        EditForm {
            email: email.into(),
            name: name.into(),
            phone: phone.into(),
            customer_id: customer_id.into(),
            ..Default::default()
        }
    }

    fn fields_of(problems: Vec<Problem>) -> Vec<&'static str> {
        problems.into_iter().map(|(f, _)| f).collect()
    }

    #[test]
    fn good_values_are_trimmed_and_empty_ones_dropped() {
        let v = validate(&form(" a@b.de ", " Anna ", "+49 30 1234-56", "")).unwrap();
        assert_eq!(v.email, "a@b.de");
        assert_eq!(v.name.as_deref(), Some("Anna"));
        assert_eq!(v.phone.as_deref(), Some("+49 30 1234-56"));
        assert_eq!(v.customer_id, None);
    }

    #[test]
    fn bad_values_are_named_by_field() {
        let long = format!("{}@b.de", "a".repeat(200));
        for bad in [
            "",
            "ab.de",
            "@b.de",
            "a@",
            "a b@c.de",
            "a@b@c",
            long.as_str(),
        ] {
            let e = validate(&form(bad, "", "", "")).unwrap_err();
            assert_eq!(fields_of(e), vec!["email"], "{bad:?}");
        }
        for bad in ["12", "0049 abc", "49+1234", &"1".repeat(41)] {
            let e = validate(&form("a@b.de", "", bad, "")).unwrap_err();
            assert_eq!(fields_of(e), vec!["phone"], "{bad:?}");
        }
        let e = validate(&form("a@b.de", "A\u{7}nna", "", &"x".repeat(65))).unwrap_err();
        assert_eq!(fields_of(e), vec!["name", "customer_id"]);
    }

    #[test]
    fn changes_name_fields_not_values() {
        let old = validate(&form("a@b.de", "Anna", "", "K-1")).unwrap();
        let new = validate(&form("a@b.de", "Anna B", "030 123", "K-1")).unwrap();
        assert_eq!(changed(&old, &new), vec![Field::Name, Field::Phone]);
        assert!(changed(&old, &old).is_empty());
    }
}
