//! How a person's values are normalised before they are blinded: the same rules for what is
//! stored and what is searched, so that differently written values meet.
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

use super::Kind;
use crate::crypto::normalise_email;

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
}
