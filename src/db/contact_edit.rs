//! Staff changes to a contact: rectification (GDPR Art. 16) of its name, address, phone
//! number and customer id, and merging two contacts into one. Every value is sealed with
//! the contact's row id bound in (`contacts::field`), and the blind-index entries are
//! re-derived in the same transaction (`person_index::index_contact`), so a search finds the
//! new values and never the old. Validation is the caller's; callers decide access and
//! write the audit entry in the same transaction. Never logs a value.

use super::contacts::{self, ContactFields, ContactId, field};
use super::schema::{contacts as rows, conversations, dsr_requests};
use super::{DbConn, DbResult, person_index};
use crate::crypto::KeyRing;
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// A contact as the staff page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub id: ContactId,
    pub fields: ContactFields,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// Everything stored about a contact, decrypted (an access to personal data: audit it).
pub fn load(conn: &mut DbConn, ring: &KeyRing, id: ContactId) -> DbResult<Option<Record>> {
    let Some((created_at, updated_at)) = rows::table
        .find(id.0)
        .select((rows::created_at, rows::updated_at))
        .first::<(NaiveDateTime, NaiveDateTime)>(conn)
        .optional()?
    else {
        return Ok(None);
    };
    Ok(contacts::fields(conn, ring, id)?.map(|fields| Record {
        id,
        fields,
        created_at,
        updated_at,
    }))
}

/// Whether the contact exists (nothing decrypted).
pub fn exists(conn: &mut DbConn, id: ContactId) -> DbResult<bool> {
    Ok(rows::table
        .find(id.0)
        .select(rows::id)
        .first::<i64>(conn)
        .optional()?
        .is_some())
}

/// The contact whose address is `email` (compared as the blind index normalises it).
pub fn by_email(conn: &mut DbConn, ring: &KeyRing, email: &str) -> DbResult<Option<ContactId>> {
    Ok(rows::table
        .filter(rows::email_blind.eq(contacts::blind(ring, email)))
        .select(rows::id)
        .first::<i64>(conn)
        .optional()?
        .map(ContactId))
}

/// How a rectification ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Saved {
    Done,
    Missing,
    /// Another contact has this address: one address, one contact (offer a merge).
    Taken(ContactId),
}

/// Replaces a contact's fields with `new` (already validated and trimmed) and re-indexes
/// it. Call inside a write transaction.
pub fn update(
    conn: &mut DbConn,
    ring: &KeyRing,
    id: ContactId,
    new: &ContactFields,
    now: NaiveDateTime,
) -> DbResult<Saved> {
    if let Some(other) = by_email(conn, ring, &new.email)? {
        if other != id {
            return Ok(Saved::Taken(other));
        }
    }
    let seal =
        |v: Option<&str>, column| v.map(|t| ring.seal_str(field(id.0, column), t)).transpose();
    let changed = diesel::update(rows::table.find(id.0))
        .set((
            rows::email_enc.eq(ring.seal_str(field(id.0, "email"), &new.email)?),
            rows::email_blind.eq(contacts::blind(ring, &new.email)),
            rows::name_enc.eq(seal(new.name.as_deref(), "name")?),
            rows::phone_enc.eq(seal(new.phone.as_deref(), "phone")?),
            rows::customer_id_enc.eq(seal(new.customer_id.as_deref(), "customer_id")?),
            rows::updated_at.eq(now),
        ))
        .execute(conn)?;
    if changed == 0 {
        return Ok(Saved::Missing);
    }
    person_index::index_contact(conn, ring, id)?;
    Ok(Saved::Done)
}

/// What a merge did: which empty fields of the kept contact the other one filled, and how
/// many conversations moved.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Merged {
    pub name: bool,
    pub phone: bool,
    pub customer_id: bool,
    pub moved: usize,
}

/// Merges `gone` into `keep`: its conversations move to `keep`, its name, phone and
/// customer id fill `keep`'s empty ones (its address goes: one address per contact), its
/// index entries go and `keep`'s are re-derived, and `gone` is deleted. `None` when either
/// is missing or they are the same. Call inside a write transaction.
pub fn merge(
    conn: &mut DbConn,
    ring: &KeyRing,
    keep: ContactId,
    gone: ContactId,
    now: NaiveDateTime,
) -> DbResult<Option<Merged>> {
    if keep == gone {
        return Ok(None);
    }
    let (Some(k), Some(g)) = (load(conn, ring, keep)?, load(conn, ring, gone)?) else {
        return Ok(None);
    };
    let fill = |mine: &Option<String>, theirs: &Option<String>| match (mine, theirs) {
        (None, Some(v)) => (Some(v.clone()), true),
        _ => (mine.clone(), false),
    };
    let (name, name_filled) = fill(&k.fields.name, &g.fields.name);
    let (phone, phone_filled) = fill(&k.fields.phone, &g.fields.phone);
    let (customer_id, customer_filled) = fill(&k.fields.customer_id, &g.fields.customer_id);
    let moved = diesel::update(conversations::table.filter(conversations::contact_id.eq(gone.0)))
        .set(conversations::contact_id.eq(Some(keep.0)))
        .execute(conn)?;
    // Requests in the register that named the merged contact follow it (otherwise the
    // foreign key would only set them to NULL).
    diesel::update(dsr_requests::table.filter(dsr_requests::contact_id.eq(gone.0)))
        .set(dsr_requests::contact_id.eq(Some(keep.0)))
        .execute(conn)?;
    person_index::forget_contact(conn, gone)?;
    diesel::delete(rows::table.find(gone.0)).execute(conn)?;
    super::erasure::journal_merged(conn, gone, now)?;
    let fields = ContactFields {
        email: k.fields.email,
        name,
        phone,
        customer_id,
    };
    if update(conn, ring, keep, &fields, now)? != Saved::Done {
        return Err(super::DbError::Conflict(
            "the kept contact changed during the merge",
        ));
    }
    Ok(Some(Merged {
        name: name_filled,
        phone: phone_filled,
        customer_id: customer_filled,
        moved,
    }))
}
