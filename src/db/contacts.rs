//! Contacts: visitors who typed an e-mail address, so that operators may recognise a
//! returning visitor (identity recognition, a per-widget setting). Address and name are
//! encrypted with the row id bound in; the blind index finds a contact by address without
//! decrypting anything. Only what visitors typed into this installation: this module must
//! never look anything up outside, and never logs a value.

use super::schema::{contacts, conversations};
use super::{DbConn, DbResult};
use crate::crypto::{FieldRef, KeyRing, normalise_email};
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ContactId(pub i64);

/// Binds a contact's ciphertext to its row and column (also for `db::contact_edit`).
pub(super) fn field(id: i64, column: &'static str) -> FieldRef<'static> {
    FieldRef {
        table: "contacts",
        column,
        row_id: id,
    }
}

/// The blind index of an address: HMAC of the trimmed, lower-cased address. The same
/// value as the contact's e-mail entry in `db::person_index` (search and recognition share it).
pub fn blind(ring: &KeyRing, email: &str) -> Vec<u8> {
    super::person_index::blind(
        ring,
        super::person_index::Kind::Email,
        &normalise_email(email),
    )
}

fn by_blind(conn: &mut DbConn, index: &[u8]) -> DbResult<Option<ContactId>> {
    Ok(contacts::table
        .filter(contacts::email_blind.eq(index))
        .select(contacts::id)
        .first::<i64>(conn)
        .optional()?
        .map(ContactId))
}

/// The contact with this address, made if there is none; call inside the caller's
/// transaction. A name fills an empty one but never replaces a stored name: anyone can
/// type anyone's address, and that must not rename the contact.
pub fn remember(
    conn: &mut DbConn,
    ring: &KeyRing,
    email: &str,
    name: Option<&str>,
    now: NaiveDateTime,
) -> DbResult<ContactId> {
    let index = blind(ring, email);
    if let Some(found) = by_blind(conn, &index)? {
        if fill_name(conn, ring, found, name, now)? {
            super::person_index::index_contact(conn, ring, found)?;
        }
        return Ok(found);
    }
    let id = super::new_id(now.and_utc())?;
    let email_enc = ring.seal_str(field(id, "email"), email.trim())?;
    let name_enc = name
        .map(|n| ring.seal_str(field(id, "name"), n))
        .transpose()?;
    // A savepoint: when another transaction inserted the same address first, the unique
    // index refuses ours and the caller's transaction goes on with theirs.
    let inserted = conn.transaction(|conn| {
        diesel::insert_into(contacts::table)
            .values((
                contacts::id.eq(id),
                contacts::email_enc.eq(email_enc),
                contacts::name_enc.eq(name_enc),
                contacts::email_blind.eq(&index),
                contacts::created_at.eq(now),
                contacts::updated_at.eq(now),
            ))
            .execute(conn)
    });
    match inserted {
        Ok(_) => {
            super::person_index::index_contact(conn, ring, ContactId(id))?;
            Ok(ContactId(id))
        }
        Err(e) => by_blind(conn, &index)?.ok_or_else(|| e.into()),
    }
}

fn fill_name(
    conn: &mut DbConn,
    ring: &KeyRing,
    id: ContactId,
    name: Option<&str>,
    now: NaiveDateTime,
) -> DbResult<bool> {
    let Some(name) = name else {
        return Ok(false);
    };
    let sealed = ring.seal_str(field(id.0, "name"), name)?;
    let changed = diesel::update(
        contacts::table
            .find(id.0)
            .filter(contacts::name_enc.is_null()),
    )
    .set((
        contacts::name_enc.eq(Some(sealed)),
        contacts::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

/// Deletes the contact unless another conversation still names it; returns whether it
/// was deleted. Self-service deletion proves access to one conversation only (its token),
/// not to the address, so it must not take other conversations' contact with it.
pub fn forget_if_unused(conn: &mut DbConn, id: ContactId) -> DbResult<bool> {
    let users: i64 = conversations::table
        .filter(conversations::contact_id.eq(id.0))
        .count()
        .get_result(conn)?;
    if users > 0 {
        return Ok(false);
    }
    Ok(diesel::delete(contacts::table.find(id.0)).execute(conn)? == 1)
}

/// The stored address and name of a contact (decrypting them is an access to personal data).
pub fn read(
    conn: &mut DbConn,
    ring: &KeyRing,
    id: ContactId,
) -> DbResult<Option<(String, Option<String>)>> {
    let Some((email, name)) = contacts::table
        .find(id.0)
        .select((contacts::email_enc, contacts::name_enc))
        .first::<(Vec<u8>, Option<Vec<u8>>)>(conn)
        .optional()?
    else {
        return Ok(None);
    };
    let email = ring.open_str(field(id.0, "email"), &email)?;
    let name = name
        .map(|n| ring.open_str(field(id.0, "name"), &n))
        .transpose()?;
    Ok(Some((email, name)))
}

/// Everything stored about a contact, decrypted (an access to personal data).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactFields {
    pub email: String,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub customer_id: Option<String>,
}

/// A contact's fields (search helper SEARCH: what `person_index::index_contact` indexes).
pub fn fields(conn: &mut DbConn, ring: &KeyRing, id: ContactId) -> DbResult<Option<ContactFields>> {
    type Sealed = (Vec<u8>, Option<Vec<u8>>, Option<Vec<u8>>, Option<Vec<u8>>);
    let Some((email, name, phone, customer)) = contacts::table
        .find(id.0)
        .select((
            contacts::email_enc,
            contacts::name_enc,
            contacts::phone_enc,
            contacts::customer_id_enc,
        ))
        .first::<Sealed>(conn)
        .optional()?
    else {
        return Ok(None);
    };
    let open = |enc: Option<Vec<u8>>, column| {
        enc.map(|c| ring.open_str(field(id.0, column), &c))
            .transpose()
    };
    Ok(Some(ContactFields {
        email: ring.open_str(field(id.0, "email"), &email)?,
        name: open(name, "name")?,
        phone: open(phone, "phone")?,
        customer_id: open(customer, "customer_id")?,
    }))
}

/// Sets (or with `None` clears) a contact's phone number and customer id and re-indexes
/// it; `false`: no such contact. Call inside the caller's transaction.
pub fn set_phone_and_customer_id(
    conn: &mut DbConn,
    ring: &KeyRing,
    id: ContactId,
    phone: Option<&str>,
    customer_id: Option<&str>,
    now: NaiveDateTime,
) -> DbResult<bool> {
    let seal = |v: Option<&str>, column| {
        v.map(|t| ring.seal_str(field(id.0, column), t.trim()))
            .transpose()
    };
    let changed = diesel::update(contacts::table.find(id.0))
        .set((
            contacts::phone_enc.eq(seal(phone, "phone")?),
            contacts::customer_id_enc.eq(seal(customer_id, "customer_id")?),
            contacts::updated_at.eq(now),
        ))
        .execute(conn)?;
    if changed == 1 {
        super::person_index::index_contact(conn, ring, id)?;
    }
    Ok(changed == 1)
}
