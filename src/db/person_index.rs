//! Blind indexes of a person's values, for search (issue 8) and identity recognition.
//!
//! Names, addresses, phone numbers and customer ids are stored encrypted, so they cannot be
//! searched. Each value is normalised and its HMAC (`KeyRing::blind_index`, key derived from
//! the key ring) stored in `person_index` with its kind and owner: a conversation (the name
//! and address its visitor typed) or a contact (the contact's own fields). A search
//! normalises the query the same way and looks the HMAC up: exact matches only, no
//! plaintext in the table, nothing decrypted to search.
//!
//! Normalisation (the rules the UI describes):
//! - e-mail: trimmed, lower-cased, exact;
//! - phone: E.164 digits: spaces, dashes, dots, slashes and parentheses dropped, a `(0)`
//!   after a country code dropped, leading `00` → `+`, a national number with a leading
//!   `0` → `+49` (Germany, the default country), digits without a prefix taken as already
//!   international; the result must be `+` and 6 to 15 digits, otherwise it is not indexed;
//! - customer id: trimmed, exact (case matters);
//! - name: one entry per whole word, lower-cased, punctuation around words dropped; a
//!   hyphenated word is indexed whole and by its parts.
//!
//! Identity recognition uses the same e-mail index: `contacts.email_blind` is the contact's
//! e-mail entry of this index (same key, kind and normalisation, `blind(Kind::Email, ..)`),
//! kept on the contact row because its unique index is what makes "one contact per
//! address" safe against two visitors typing the same address at once. `person_index`
//! holds every entry, the contact's e-mail included, so search asks one table.

use super::contacts::{self, ContactId};
use super::conversations::{self, ConversationId};
use super::schema::{app_settings, contacts as contact_rows, conversations as conv, person_index};
use super::{Db, DbConn, DbResult};
use crate::crypto::{KeyRing, normalise_email};
use diesel::prelude::*;

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

/// Longest value of any kind that is indexed or searched, in characters; a longer search
/// text finds nothing (and costs nothing: it is never looked up).
pub const MAX_VALUE: usize = 200;
/// At most this many words of one name are indexed.
const MAX_WORDS: usize = 16;
/// Longer words are not indexed (no name has them; they would only fill the table).
const MAX_WORD: usize = 64;

/// Invisible characters that change nothing a person reads: bidi marks and embeddings,
/// zero-width spaces and joiners, the byte-order mark, the soft hyphen.
fn invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

/// The value with control and invisible characters removed and trimmed; `None` when
/// nothing is left or it is longer than `MAX_VALUE`.
fn clean(raw: &str) -> Option<String> {
    let kept: String = raw
        .chars()
        .filter(|c| !c.is_control() && !invisible(*c))
        .collect();
    let kept = kept.trim();
    (!kept.is_empty() && kept.chars().count() <= MAX_VALUE).then(|| kept.to_string())
}

pub fn normalise_mail(raw: &str) -> Option<String> {
    clean(raw).map(|v| normalise_email(&v))
}

/// E.164 (see the module documentation); `None` when it cannot be a phone number.
pub fn normalise_phone(raw: &str) -> Option<String> {
    let value = clean(raw)?;
    let international = value.starts_with('+') || value.starts_with("00");
    // "+49 (0)30 …": the national trunk zero written beside the country code.
    let value = if international {
        value.replace("(0)", "")
    } else {
        value
    };
    let mut digits = String::new();
    for (i, c) in value.chars().enumerate() {
        match c {
            '0'..='9' => digits.push(c),
            '+' if i == 0 => {}
            ' ' | '-' | '.' | '/' | '(' | ')' | '\u{00A0}' => {}
            _ => return None,
        }
    }
    let e164 = if value.starts_with('+') {
        digits
    } else if let Some(rest) = digits.strip_prefix("00") {
        rest.to_string()
    } else if let Some(rest) = digits.strip_prefix('0') {
        format!("49{rest}")
    } else {
        digits
    };
    let ok = (6..=15).contains(&e164.len()) && !e164.starts_with('0');
    ok.then(|| format!("+{e164}"))
}

pub fn normalise_customer(raw: &str) -> Option<String> {
    clean(raw)
}

/// Characters that separate words of a name (besides white space).
fn separator(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            ',' | ';'
                | ':'
                | '/'
                | '\\'
                | '|'
                | '('
                | ')'
                | '['
                | ']'
                | '{'
                | '}'
                | '<'
                | '>'
                | '"'
                | '!'
                | '?'
                | '&'
                | '+'
                | '*'
                | '='
                | '„'
                | '“'
                | '”'
                | '«'
                | '»'
                | '‚'
                | '‘'
                | '’'
        )
}

/// The whole words of a name, lower-cased, without punctuation around them; a hyphenated
/// word also gives its parts. Duplicates removed, order kept.
pub fn name_words(raw: &str) -> Vec<String> {
    let Some(value) = clean(raw) else {
        return Vec::new();
    };
    let mut words: Vec<String> = Vec::new();
    let mut push = |w: &str| {
        let w = w
            .trim_matches(|c: char| !c.is_alphanumeric())
            .to_lowercase();
        if !w.is_empty() && w.chars().count() <= MAX_WORD && !words.contains(&w) {
            words.push(w);
        }
    };
    for word in value.split(separator) {
        push(word);
        if word.contains('-') {
            word.split('-').for_each(&mut push);
        }
    }
    words.truncate(MAX_WORDS);
    words
}

/// The normalised forms of a raw value of this kind: none, one, or (names) one per word.
pub fn normalise(kind: Kind, raw: &str) -> Vec<String> {
    match kind {
        Kind::Email => normalise_mail(raw).into_iter().collect(),
        Kind::Phone => normalise_phone(raw).into_iter().collect(),
        Kind::Customer => normalise_customer(raw).into_iter().collect(),
        Kind::Name => name_words(raw),
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

/// Set by the migration that created the index; removed once rows stored before it are
/// indexed.
const BACKFILL_KEY: &str = "person_index.backfill";
const BATCH: i64 = 500;

/// Indexes, once, conversations and contacts stored before the index existed (a migration
/// cannot compute HMACs). Runs at start-up in batches of its own transactions; a second
/// run (another node, a restart halfway) only redoes entries, which replace themselves.
/// Returns how many rows were indexed.
pub fn backfill(db: &Db, ring: &KeyRing) -> DbResult<usize> {
    let mut conn = db.conn()?;
    if super::settings::get(&mut conn, BACKFILL_KEY)?.is_none() {
        return Ok(0);
    }
    let mut done = 0;
    let mut after = i64::MIN;
    loop {
        let ids: Vec<i64> = conv::table
            .filter(conv::id.gt(after))
            .filter(
                conv::visitor_name_enc
                    .is_not_null()
                    .or(conv::visitor_email_enc.is_not_null()),
            )
            .order(conv::id.asc())
            .limit(BATCH)
            .select(conv::id)
            .load(&mut conn)?;
        let Some(last) = ids.last() else { break };
        after = *last;
        super::write_transaction(&mut conn, |conn| {
            ids.iter()
                .try_for_each(|id| index_conversation(conn, ring, ConversationId(*id)))
        })?;
        done += ids.len();
    }
    let mut after = i64::MIN;
    loop {
        let ids: Vec<i64> = contact_rows::table
            .filter(contact_rows::id.gt(after))
            .order(contact_rows::id.asc())
            .limit(BATCH)
            .select(contact_rows::id)
            .load(&mut conn)?;
        let Some(last) = ids.last() else { break };
        after = *last;
        super::write_transaction(&mut conn, |conn| {
            ids.iter()
                .try_for_each(|id| index_contact(conn, ring, ContactId(*id)))
        })?;
        done += ids.len();
    }
    diesel::delete(app_settings::table.find(BACKFILL_KEY)).execute(&mut conn)?;
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_numbers_written_differently_are_one() {
        let want = Some("+4930123456".to_string());
        for raw in [
            "+49 30 123456",
            "0049 (30) 123-456",
            "030 / 123 456",
            "+49 (0)30 123456",
            "4930123456",
            "030.123.456",
        ] {
            assert_eq!(normalise_phone(raw), want, "{raw}");
        }
        assert_eq!(
            normalise_phone("+44 20 7946 0958").as_deref(),
            Some("+442079460958")
        );
        for bad in [
            "",
            "abc",
            "12",
            "+49 30 12345678901234",
            "0",
            "00",
            "1' OR 1=1 --",
            "%",
        ] {
            assert_eq!(normalise_phone(bad), None, "{bad}");
        }
    }

    #[test]
    fn names_give_whole_words() {
        assert_eq!(
            name_words("  Anna-Lena  „Müller“, Dr. "),
            ["anna-lena", "anna", "lena", "müller", "dr"]
        );
        assert_eq!(name_words("\u{200F}ÉMILE\u{0000}"), ["émile"]);
        assert!(name_words("  ...  ").is_empty());
        assert!(name_words(&"x".repeat(300)).is_empty());
    }

    #[test]
    fn email_and_customer_ids() {
        assert_eq!(
            normalise_mail(" Anna@Example.DE ").as_deref(),
            Some("anna@example.de")
        );
        assert_eq!(normalise_customer(" K-0042 ").as_deref(), Some("K-0042"));
        assert_eq!(normalise_customer("   "), None);
    }

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
