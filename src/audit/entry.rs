//! What one audit entry says: who (an id or a fixed word), did what (a fixed word), to
//! which object (a type word and an id), with what outcome, and why when a reason was typed.
//! Must never carry message text or a personal value: every field but the reason is an id
//! or a word from the lists below, so a caller cannot put a name or an address into one.

use crate::db::contacts::ContactId;
use crate::db::conversations::ConversationId;
use crate::db::roles::RoleId;
use crate::db::staff::StaffId;
use crate::db::teams::TeamId;
use crate::db::widgets::WidgetId;
use chrono::NaiveDateTime;

/// A closed list of words stored as text: `as_str` for storage, `parse` for display.
macro_rules! words {
    ($(#[doc = $doc:literal])* pub enum $name:ident { $($(#[doc = $vdoc:literal])* $variant:ident = $text:literal,)* }) => {
        $(#[doc = $doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($(#[doc = $vdoc])* $variant,)* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text,)* }
            }

            pub fn parse(text: &str) -> Option<Self> {
                match text { $($text => Some($name::$variant),)* _ => None }
            }
        }
    };
}

words! {
    /// What was done. Reads of personal data, changes, security events, jobs, visitors'
    /// own actions. Add a word here for a new kind of event (and its `audit.action.*`
    /// strings in the i18n files).
    pub enum Action {
        /// A staff member signed in (password and, where required, second factor).
        Login = "login",
        /// A sign-in with a wrong or unknown user name or password, or a disabled account.
        LoginFailed = "login_failed",
        /// A sign-in refused because of too many failures.
        LoginThrottled = "login_throttled",
        SecondFactorFailed = "second_factor_failed",
        SecondFactorChanged = "second_factor_changed",
        SecondFactorReset = "second_factor_reset",
        Logout = "logout",
        SessionEnded = "session_ended",
        PasswordChanged = "password_changed",
        /// A transcript page was shown (history, search result).
        ConversationViewed = "conversation_viewed",
        /// A conversation was opened in the live operator console.
        ConversationOpened = "conversation_opened",
        ConversationChanged = "conversation_changed",
        ConversationDeleted = "conversation_deleted",
        ContactViewed = "contact_viewed",
        ContactChanged = "contact_changed",
        ContactDeleted = "contact_deleted",
        /// Two contacts made one: an entry on the contact kept and one on the contact gone.
        ContactMerged = "contact_merged",
        SearchViewed = "search_viewed",
        Exported = "exported",
        TranscriptMailed = "transcript_mailed",
        /// An admin sent a test mail through the configured relay (`/admin/mail`).
        TestMailSent = "test_mail_sent",
        StaffCreated = "staff_created",
        StaffChanged = "staff_changed",
        StaffDisabled = "staff_disabled",
        StaffDeleted = "staff_deleted",
        /// A disabled staff account was enabled again.
        StaffEnabled = "staff_enabled",
        /// An admin set another account's password (every session of it ends).
        PasswordReset = "password_reset",
        /// How an operator appears to visitors (name shown, alias, avatar).
        AppearanceChanged = "appearance_changed",
        RoleCreated = "role_created",
        /// A role's name, matrix or flags (second factor, reason required).
        RoleChanged = "role_changed",
        RoleDeleted = "role_deleted",
        TeamCreated = "team_created",
        TeamChanged = "team_changed",
        TeamDeleted = "team_deleted",
        WidgetCreated = "widget_created",
        WidgetChanged = "widget_changed",
        WidgetDeleted = "widget_deleted",
        /// Privacy notice texts, masking rules or other privacy settings of a widget.
        PrivacyChanged = "privacy_changed",
        RetentionChanged = "retention_changed",
        SettingsChanged = "settings_changed",
        JobRun = "job_run",
        AuditViewed = "audit_viewed",
        AuditExported = "audit_exported",
        AuditPruned = "audit_pruned",
        /// Team statistics of a period were shown / exported as CSV (metadata only).
        StatisticsViewed = "statistics_viewed",
        StatisticsExported = "statistics_exported",
        /// A visitor looked at what is stored about their own conversation.
        SelfServiceShown = "self_service_shown",
        SelfServiceDownloaded = "self_service_downloaded",
        /// A visitor deleted their own conversation.
        SelfServiceErased = "self_service_erased",
        /// A visitor withdrew consent (deleted now or closed until retention).
        ConsentWithdrawn = "consent_withdrawn",
        /// A data-subject request of the register was shown (it names a person).
        RequestViewed = "request_viewed",
        RequestCreated = "request_created",
        /// Status, handler, extension or notes of a data-subject request.
        RequestChanged = "request_changed",
        /// An export or bulk deletion was stored to wait for a second person's approval.
        ApprovalRequested = "approval_requested",
        ApprovalGiven = "approval_given",
        ApprovalRefused = "approval_refused",
        /// An approved request was run by its requester (once).
        ApprovalUsed = "approval_used",
    }
}

words! {
    /// The kind of thing an entry is about.
    pub enum ObjectKind {
        None = "none",
        Conversation = "conversation",
        Contact = "contact",
        Staff = "staff",
        Role = "role",
        Team = "team",
        Widget = "widget",
        Settings = "settings",
        Job = "job",
        AuditLog = "audit_log",
        /// A data-subject request of the register (`db::dsr`).
        Request = "request",
        /// A four-eyes approval request (`db::approvals`).
        Approval = "approval",
    }
}

words! {
    /// A part of an object an action touched, for an entry's detail (which fields a
    /// rectification changed): names of fields, never their values.
    pub enum Field {
        Name = "name",
        Email = "email",
        Phone = "phone",
        CustomerId = "customer_id",
        /// Conversations moved to another contact (a merge).
        Conversations = "conversations",
    }
}

words! {
    /// How it ended.
    pub enum Outcome {
        Ok = "ok",
        /// Refused by a permission, a throttle or a failed check.
        Denied = "denied",
        /// Attempted but failed (e.g. a wrong password).
        Failed = "failed",
        NotFound = "not_found",
    }
}

/// Who acted. Staff by id; everyone else by a fixed word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Actor {
    Staff(StaffId),
    /// The program itself: scheduled jobs and the command line on the server.
    System,
    /// The visitor of a conversation, on their own socket.
    Visitor,
    /// Someone not signed in (a failed sign-in).
    Anonymous,
}

impl Actor {
    pub fn kind(self) -> &'static str {
        match self {
            Self::Staff(_) => "staff",
            Self::System => "system",
            Self::Visitor => "visitor",
            Self::Anonymous => "anonymous",
        }
    }

    pub fn id(self) -> Option<i64> {
        match self {
            Self::Staff(id) => Some(id.0),
            _ => None,
        }
    }

    pub fn from_stored(kind: &str, id: Option<i64>) -> Option<Self> {
        match (kind, id) {
            ("staff", Some(id)) => Some(Self::Staff(StaffId(id))),
            ("system", None) => Some(Self::System),
            ("visitor", None) => Some(Self::Visitor),
            ("anonymous", None) => Some(Self::Anonymous),
            _ => None,
        }
    }
}

impl From<StaffId> for Actor {
    fn from(id: StaffId) -> Self {
        Self::Staff(id)
    }
}

/// The object of an entry: a kind and, for most kinds, an id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Object {
    pub kind: ObjectKind,
    pub id: Option<i64>,
}

impl Object {
    pub fn new(kind: ObjectKind, id: Option<i64>) -> Self {
        Self { kind, id }
    }

    pub fn none() -> Self {
        Self::new(ObjectKind::None, None)
    }

    pub fn conversation(id: ConversationId) -> Self {
        Self::new(ObjectKind::Conversation, Some(id.0))
    }

    pub fn contact(id: ContactId) -> Self {
        Self::new(ObjectKind::Contact, Some(id.0))
    }

    pub fn staff(id: StaffId) -> Self {
        Self::new(ObjectKind::Staff, Some(id.0))
    }

    pub fn widget(id: WidgetId) -> Self {
        Self::new(ObjectKind::Widget, Some(id.0))
    }

    pub fn role(id: RoleId) -> Self {
        Self::new(ObjectKind::Role, Some(id.0))
    }

    pub fn team(id: TeamId) -> Self {
        Self::new(ObjectKind::Team, Some(id.0))
    }

    pub fn request(id: i64) -> Self {
        Self::new(ObjectKind::Request, Some(id))
    }

    pub fn audit_log() -> Self {
        Self::new(ObjectKind::AuditLog, None)
    }
}

/// Longest reason kept; a reason is typed by staff, never filled from data.
pub const MAX_REASON: usize = 500;

/// An entry before it is appended (the chain gives it its seq and MAC).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub at: NaiveDateTime,
    pub actor: Actor,
    pub action: Action,
    pub object: Object,
    pub outcome: Outcome,
    pub reason: Option<String>,
    /// What the action touched (fixed words); empty for most entries.
    pub fields: Vec<Field>,
}

impl Entry {
    /// A successful action; `at` comes from the injected clock.
    pub fn new(at: NaiveDateTime, actor: impl Into<Actor>, action: Action, object: Object) -> Self {
        Self {
            at,
            actor: actor.into(),
            action,
            object,
            outcome: Outcome::Ok,
            reason: None,
            fields: Vec::new(),
        }
    }

    /// Names the fields the action touched (e.g. which fields a rectification changed).
    pub fn fields(mut self, fields: &[Field]) -> Self {
        self.fields = fields.to_vec();
        self
    }

    /// The stored detail: the field words, comma-separated; `None` without fields.
    pub fn detail(&self) -> Option<String> {
        (!self.fields.is_empty()).then(|| {
            self.fields
                .iter()
                .map(|f| f.as_str())
                .collect::<Vec<_>>()
                .join(",")
        })
    }

    pub fn outcome(mut self, outcome: Outcome) -> Self {
        self.outcome = outcome;
        self
    }

    /// A reason the actor typed (e.g. a data-protection officer reading outside their scope).
    pub fn reason(mut self, reason: impl Into<String>) -> Self {
        self.reason = Some(reason.into());
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_round_trip_and_are_distinct() {
        let mut seen = std::collections::HashSet::new();
        for a in Action::ALL {
            assert_eq!(Action::parse(a.as_str()), Some(*a));
            assert!(seen.insert(a.as_str()));
        }
        for k in ObjectKind::ALL {
            assert_eq!(ObjectKind::parse(k.as_str()), Some(*k));
        }
        for f in Field::ALL {
            assert_eq!(Field::parse(f.as_str()), Some(*f));
        }
        for o in Outcome::ALL {
            assert_eq!(Outcome::parse(o.as_str()), Some(*o));
        }
        for actor in [
            Actor::Staff(StaffId(7)),
            Actor::System,
            Actor::Visitor,
            Actor::Anonymous,
        ] {
            assert_eq!(Actor::from_stored(actor.kind(), actor.id()), Some(actor));
        }
    }
}
