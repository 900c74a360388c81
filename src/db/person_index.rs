//! Blind indexes of a person's values, for search (issue 8) and identity recognition.
//!
//! Names, addresses, phone numbers and customer ids are stored encrypted, so they cannot be
//! searched. Each value is normalised and its HMAC (`KeyRing::blind_index`, key derived from
//! the key ring) stored in `person_index` with its kind and owner: a conversation (the name
//! and address its visitor typed) or a contact (the contact's own fields). A search
//! normalises the query the same way and looks the HMAC up: exact matches only, no
//! plaintext in the table, nothing decrypted to search.
//!
//! Normalisation rules: see `normalise`.
//!
//! Identity recognition uses the same e-mail index: `contacts.email_blind` is the contact's
//! e-mail entry of this index (same key, kind and normalisation, `blind(Kind::Email, ..)`),
//! kept on the contact row because its unique index is what makes "one contact per
//! address" safe against two visitors typing the same address at once. `person_index`
//! holds every entry, the contact's e-mail included, so search asks one table.

use super::contacts::{self, ContactId};
use super::conversations::{self, ConversationId};
use super::schema::person_index;
use super::{DbConn, DbResult};
use crate::crypto::KeyRing;
use diesel::prelude::*;

mod backfill;
mod normalise;

pub use backfill::backfill;
pub use normalise::{
    MAX_VALUE, name_words, normalise, normalise_customer, normalise_mail, normalise_phone,
};

/// What an index entry is of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Email,
    Phone,
    Customer,
    Name,
}

impl Kind {
    pub const ALL: [Kind; 4] = [Kind::Email, Kind::Phone, Kind::Customer, Kind::Name];

    /// As stored in `person_index.kind` and in URLs.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Phone => "phone",
            Self::Customer => "customer",
            Self::Name => "name",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The HMAC's domain. E-mail keeps the contacts' historic one, so that
    /// `contacts.email_blind` and this index hold the same value for an address.
    fn domain(self) -> &'static str {
        match self {
            Self::Email => "contact email",
            Self::Phone => "person phone",
            Self::Customer => "person customer id",
            Self::Name => "person name word",
        }
    }
}

/// The index value of an already normalised value.
pub fn blind(ring: &KeyRing, kind: Kind, normalised: &str) -> Vec<u8> {
    ring.blind_index(kind.domain(), normalised)
}

/// The index values of a raw value (what a search looks up: for a name, every word).
pub fn blinds(ring: &KeyRing, kind: Kind, raw: &str) -> Vec<Vec<u8>> {
    normalise(kind, raw)
        .iter()
        .map(|n| blind(ring, kind, n))
        .collect()
}

enum Owner {
    Conversation(ConversationId),
    Contact(ContactId),
}

/// Replaces the owner's entries with those of `values`. One insert per entry: batch
/// inserts do not compile on the shared connection.
fn store(
    conn: &mut DbConn,
    ring: &KeyRing,
    owner: Owner,
    values: &[(Kind, Option<String>)],
) -> DbResult<()> {
    let (conversation, contact) = match owner {
        Owner::Conversation(id) => {
            forget_conversation(conn, id)?;
            (Some(id.0), None)
        }
        Owner::Contact(id) => {
            forget_contact(conn, id)?;
            (None, Some(id.0))
        }
    };
    for (kind, value) in values {
        let Some(value) = value else { continue };
        for index in blinds(ring, *kind, value) {
            diesel::insert_into(person_index::table)
                .values((
                    person_index::kind.eq(kind.as_str()),
                    person_index::blind.eq(index),
                    person_index::conversation_id.eq(conversation),
                    person_index::contact_id.eq(contact),
                ))
                .execute(conn)?;
        }
    }
    Ok(())
}

/// Re-derives a conversation's entries from its stored name and address (none when it is
/// gone). Call inside the transaction that wrote them.
pub fn index_conversation(conn: &mut DbConn, ring: &KeyRing, id: ConversationId) -> DbResult<()> {
    let Some(c) = conversations::by_id(conn, id)? else {
        return forget_conversation(conn, id);
    };
    let (name, email) = c.contact(ring)?;
    let values = [(Kind::Name, name), (Kind::Email, email)];
    store(conn, ring, Owner::Conversation(id), &values)
}

/// Re-derives a contact's entries from its current name, address, phone and customer id
/// (none when it is gone). Call inside the transaction that wrote them.
pub fn index_contact(conn: &mut DbConn, ring: &KeyRing, id: ContactId) -> DbResult<()> {
    let Some(p) = contacts::fields(conn, ring, id)? else {
        return forget_contact(conn, id);
    };
    let values = [
        (Kind::Email, Some(p.email)),
        (Kind::Name, p.name),
        (Kind::Phone, p.phone),
        (Kind::Customer, p.customer_id),
    ];
    store(conn, ring, Owner::Contact(id), &values)
}

/// Removes a conversation's entries (the foreign key's cascade does too; erasure code
/// calls this so the list of what goes stays visible there).
pub fn forget_conversation(conn: &mut DbConn, id: ConversationId) -> DbResult<()> {
    diesel::delete(person_index::table.filter(person_index::conversation_id.eq(id.0)))
        .execute(conn)?;
    Ok(())
}

/// Removes a contact's entries.
pub fn forget_contact(conn: &mut DbConn, id: ContactId) -> DbResult<()> {
    diesel::delete(person_index::table.filter(person_index::contact_id.eq(id.0))).execute(conn)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_entry_is_the_contacts_blind_value() {
        let dir = tempfile::tempdir().unwrap();
        let ring = KeyRing::create(&dir.path().join("k"), "t").unwrap();
        assert_eq!(
            blinds(&ring, Kind::Email, "Anna@Example.de"),
            vec![contacts::blind(&ring, " anna@example.DE")]
        );
        assert_ne!(
            blind(&ring, Kind::Name, "anna"),
            blind(&ring, Kind::Customer, "anna")
        );
    }
}
