//! Data-subject requests (GDPR Art. 12-22), the pure part: the closed lists of kinds,
//! channels and statuses, and the due-date arithmetic (`due`). No database, no HTTP; the
//! register itself is `db::dsr`, its pages `console::requests`.

pub mod due;

/// A closed list of words stored as text, each with its i18n key.
macro_rules! words {
    ($(#[doc = $doc:literal])* pub enum $name:ident ($prefix:literal) { $($(#[doc = $vdoc:literal])* $variant:ident = $text:literal,)* }) => {
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

            /// The i18n key of its label.
            pub fn label_key(self) -> &'static str {
                match self { $($name::$variant => concat!($prefix, ".", $text),)* }
            }
        }
    };
}

words! {
    /// What the data subject asked for (the article it rests on).
    pub enum Kind ("requests.kind") {
        /// Art. 15.
        Access = "access",
        /// Art. 16.
        Rectification = "rectification",
        /// Art. 17.
        Erasure = "erasure",
        /// Art. 20.
        Portability = "portability",
        /// Art. 21 (and a withdrawn consent, Art. 7(3)).
        Objection = "objection",
        /// Art. 18.
        Restriction = "restriction",
    }
}

words! {
    /// How the request reached the company.
    pub enum Channel ("requests.channel") {
        Email = "email",
        Letter = "letter",
        Phone = "phone",
        InPerson = "in_person",
        /// The visitor's own action in the chat widget; recorded automatically, answered.
        ChatSelfService = "chat_self_service",
        Other = "other",
    }
}

words! {
    /// Where the request stands.
    pub enum Status ("requests.status") {
        Open = "open",
        InProgress = "in_progress",
        Answered = "answered",
        /// Refused with a reason (Art. 12(4)), e.g. manifestly unfounded.
        Refused = "refused",
        Withdrawn = "withdrawn",
    }
}

impl Status {
    /// Whether the request still waits for an answer (and so can be overdue).
    pub fn pending(self) -> bool {
        matches!(self, Self::Open | Self::InProgress)
    }
}

/// Channels staff may choose: self-service requests are made by the widget only.
pub fn staff_channels() -> impl Iterator<Item = Channel> {
    Channel::ALL
        .iter()
        .copied()
        .filter(|c| *c != Channel::ChatSelfService)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_round_trip() {
        for k in Kind::ALL {
            assert_eq!(Kind::parse(k.as_str()), Some(*k));
            assert!(k.label_key().starts_with("requests.kind."));
        }
        for c in Channel::ALL {
            assert_eq!(Channel::parse(c.as_str()), Some(*c));
        }
        for s in Status::ALL {
            assert_eq!(Status::parse(s.as_str()), Some(*s));
        }
        assert_eq!(Kind::parse("delete"), None);
        assert!(!staff_channels().any(|c| c == Channel::ChatSelfService));
        assert_eq!(
            Status::InProgress.label_key(),
            "requests.status.in_progress"
        );
    }
}
