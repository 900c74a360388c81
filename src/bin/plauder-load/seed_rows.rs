//! The rows `seed` writes, encrypted and indexed exactly as the server stores them: the same
//! `FieldRef` (table, column, row id) the server's modules bind into each ciphertext, the
//! person index from `person_index::blinds`, the contact's `email_blind` from
//! `contacts::blind`. `seed` reads a sample back through the crate's own functions to prove
//! it. Inserted many rows per statement (a batch insert on the concrete connection: the
//! shared MultiConnection has none).

use crate::seed_data::{self, Person, Rng};
use chrono::{Duration, NaiveDateTime};
use plauder::crypto::{FieldRef, KeyRing};
use plauder::db::DbResult;
use plauder::db::person_index::{self, Kind};

mod insert;

pub use insert::{insert_chunk, insert_contacts};

/// Time-ordered ids like `db::new_id` (milliseconds in the high bits, 20 random low bits),
/// strictly increasing per table in the order rows are made. `db::new_id` itself cannot
/// be used: it never goes back in time within a process, and seeding walks a year.
pub struct Ids {
    last: i64,
}

impl Ids {
    pub fn new() -> Self {
        Self { last: 0 }
    }

    pub fn at(&mut self, t: NaiveDateTime, r: &mut Rng) -> i64 {
        let millis = t.and_utc().timestamp_millis().max(0);
        let candidate = (millis << 20) | i64::try_from(r.below(1 << 20)).unwrap_or(0);
        self.last = candidate.max(self.last + 1 + i64::try_from(r.below(64)).unwrap_or(0));
        self.last
    }
}

fn sealed(
    ring: &KeyRing,
    table: &'static str,
    column: &'static str,
    id: i64,
    text: &str,
) -> DbResult<Vec<u8>> {
    Ok(ring.seal_str(
        FieldRef {
            table,
            column,
            row_id: id,
        },
        text,
    )?)
}

/// One person-index entry: of a conversation or of a contact.
pub struct Entry {
    kind: &'static str,
    blind: Vec<u8>,
    conversation: Option<i64>,
    contact: Option<i64>,
}

fn entries(
    ring: &KeyRing,
    kind: Kind,
    raw: &str,
    conversation: Option<i64>,
    contact: Option<i64>,
    out: &mut Vec<Entry>,
) {
    for blind in person_index::blinds(ring, kind, raw) {
        out.push(Entry {
            kind: kind.as_str(),
            blind,
            conversation,
            contact,
        });
    }
}

pub struct Contact {
    id: i64,
    email_enc: Vec<u8>,
    name_enc: Vec<u8>,
    email_blind: Vec<u8>,
    phone_enc: Option<Vec<u8>>,
    customer_enc: Option<Vec<u8>>,
    created_at: NaiveDateTime,
}

/// A batch of contacts and their index entries.
#[derive(Default)]
pub struct Contacts {
    pub rows: Vec<Contact>,
    pub index: Vec<Entry>,
}

impl Contacts {
    pub fn push(&mut self, ring: &KeyRing, id: i64, p: &Person, at: NaiveDateTime) -> DbResult<()> {
        let seal = |column, v: &str| sealed(ring, "contacts", column, id, v.trim());
        self.rows.push(Contact {
            id,
            email_enc: seal("email", &p.email)?,
            name_enc: seal("name", &p.name)?,
            email_blind: plauder::db::contacts::blind(ring, &p.email),
            phone_enc: p.phone.as_deref().map(|v| seal("phone", v)).transpose()?,
            customer_enc: p
                .customer_id
                .as_deref()
                .map(|v| seal("customer_id", v))
                .transpose()?,
            created_at: at,
        });
        let i = &mut self.index;
        entries(ring, Kind::Email, &p.email, None, Some(id), i);
        entries(ring, Kind::Name, &p.name, None, Some(id), i);
        if let Some(v) = &p.phone {
            entries(ring, Kind::Phone, v, None, Some(id), i);
        }
        if let Some(v) = &p.customer_id {
            entries(ring, Kind::Customer, v, None, Some(id), i);
        }
        Ok(())
    }

    pub fn rows(&self) -> usize {
        self.rows.len() + self.index.len()
    }
}

pub struct Conversation {
    pub id: i64,
    pub widget: i64,
    pub status: &'static str,
    pub operator: Option<i64>,
    pub contact: Option<i64>,
    token_hash: Vec<u8>,
    name_enc: Option<Vec<u8>>,
    email_enc: Option<Vec<u8>>,
    last_seq: i64,
    pub created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    closed_at: Option<NaiveDateTime>,
}

struct Message {
    id: i64,
    conversation: i64,
    seq: i64,
    sender: &'static str,
    staff: Option<i64>,
    client_id: Option<String>,
    body_enc: Vec<u8>,
    created_at: NaiveDateTime,
}

struct Consent {
    id: i64,
    widget: i64,
    conversation: i64,
    given_at: NaiveDateTime,
}

/// What one conversation is made of, decided by the caller.
pub struct Plan<'a> {
    pub widget: i64,
    pub status: &'static str,
    pub operator: Option<i64>,
    pub contact: Option<i64>,
    pub name: Option<&'a str>,
    pub email: Option<&'a str>,
    pub messages: u64,
    pub created_at: NaiveDateTime,
    pub tag: Option<&'static str>,
}

/// Sequences of ids, one per table, owned by the one thread that makes rows.
pub struct Sequences {
    pub conversations: Ids,
    pub messages: Ids,
    pub consents: Ids,
}

/// A batch of conversations with their messages, consents, tags and index entries; one
/// transaction.
#[derive(Default)]
pub struct Chunk {
    pub conversations: Vec<Conversation>,
    messages: Vec<Message>,
    consents: Vec<Consent>,
    tags: Vec<(i64, &'static str)>,
    index: Vec<Entry>,
}

pub struct Notice<'a> {
    pub hash: &'a str,
    pub version: &'a str,
}

impl Chunk {
    pub fn push(
        &mut self,
        ring: &KeyRing,
        ids: &mut Sequences,
        r: &mut Rng,
        plan: &Plan<'_>,
    ) -> DbResult<()> {
        let id = ids.conversations.at(plan.created_at, r);
        let mut at = plan.created_at;
        for seq in 1..=i64::try_from(plan.messages).unwrap_or(0) {
            at += Duration::seconds(5 + i64::try_from(r.below(85)).unwrap_or(0));
            // Visitor first, then turns; without an operator only the visitor writes.
            let operator_turn = plan.operator.is_some() && seq % 2 == 0;
            let mid = ids.messages.at(at, r);
            self.messages.push(Message {
                id: mid,
                conversation: id,
                seq,
                sender: if operator_turn { "operator" } else { "visitor" },
                staff: if operator_turn { plan.operator } else { None },
                client_id: (!operator_turn).then(|| format!("c{seq}")),
                body_enc: sealed(ring, "messages", "body", mid, &seed_data::sentence(r))?,
                created_at: at,
            });
        }
        let seal = |column, v: Option<&str>| {
            v.map(|v| sealed(ring, "conversations", column, id, v))
                .transpose()
        };
        let mut token = id.to_be_bytes().to_vec();
        token.extend_from_slice(&r.next().to_be_bytes());
        self.conversations.push(Conversation {
            id,
            widget: plan.widget,
            status: plan.status,
            operator: plan.operator,
            contact: plan.contact,
            token_hash: plauder::crypto::sha256(&token),
            name_enc: seal("visitor_name", plan.name)?,
            email_enc: seal("visitor_email", plan.email)?,
            last_seq: i64::try_from(plan.messages).unwrap_or(0),
            created_at: plan.created_at,
            updated_at: at,
            closed_at: (plan.status == "closed").then(|| at + Duration::seconds(60)),
        });
        self.consents.push(Consent {
            id: ids.consents.at(plan.created_at, r),
            widget: plan.widget,
            conversation: id,
            given_at: plan.created_at,
        });
        if let Some(tag) = plan.tag {
            self.tags.push((id, tag));
        }
        if let Some(name) = plan.name {
            entries(ring, Kind::Name, name, Some(id), None, &mut self.index);
        }
        if let Some(email) = plan.email {
            entries(ring, Kind::Email, email, Some(id), None, &mut self.index);
        }
        Ok(())
    }

    pub fn rows(&self) -> usize {
        self.conversations.len()
            + self.messages.len()
            + self.consents.len()
            + self.tags.len()
            + self.index.len()
    }
}
