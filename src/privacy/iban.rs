//! IBANs (ISO 13616) in free text: two letters, two check digits and the account part,
//! written together or in groups joined by single spaces, any case; the mod-97 check must
//! hold and, for countries listed here, the length must be the country's. Pure: no I/O.
//! Never logs the text it reads.

use std::ops::Range;

const MIN_LEN: usize = 15;
const MAX_LEN: usize = 34;

/// IBAN lengths from the SWIFT IBAN registry. Countries not listed are checked with mod-97
/// and the general length bounds alone.
#[rustfmt::skip]
const LENGTHS: &[(&str, usize)] = &[
    ("AD", 24), ("AE", 23), ("AL", 28), ("AT", 20), ("AZ", 28), ("BA", 20), ("BE", 16),
    ("BG", 22), ("BH", 22), ("BI", 27), ("BR", 29), ("BY", 28), ("CH", 21), ("CR", 22),
    ("CY", 28), ("CZ", 24), ("DE", 22), ("DJ", 27), ("DK", 18), ("DO", 28), ("EE", 20),
    ("EG", 29), ("ES", 24), ("FI", 18), ("FK", 18), ("FO", 18), ("FR", 27), ("GB", 22),
    ("GE", 22), ("GI", 23), ("GL", 18), ("GR", 27), ("GT", 28), ("HN", 28), ("HR", 21),
    ("HU", 28), ("IE", 22), ("IL", 23), ("IQ", 23), ("IS", 26), ("IT", 27), ("JO", 30),
    ("KW", 30), ("KZ", 20), ("LB", 28), ("LC", 32), ("LI", 21), ("LT", 20), ("LU", 20),
    ("LV", 21), ("LY", 25), ("MC", 27), ("MD", 24), ("ME", 22), ("MK", 19), ("MN", 20),
    ("MR", 27), ("MT", 31), ("MU", 30), ("NI", 28), ("NL", 18), ("NO", 15), ("OM", 23),
    ("PK", 24), ("PL", 28), ("PS", 29), ("PT", 25), ("QA", 29), ("RO", 24), ("RS", 22),
    ("RU", 33), ("SA", 24), ("SC", 31), ("SD", 18), ("SE", 24), ("SI", 19), ("SK", 24),
    ("SM", 27), ("SO", 23), ("ST", 25), ("SV", 28), ("TL", 23), ("TN", 24), ("TR", 26),
    ("UA", 29), ("VA", 22), ("VG", 24), ("XK", 20), ("YE", 30),
];

fn length_of(country: &[u8]) -> Option<usize> {
    LENGTHS
        .iter()
        .find(|(c, _)| c.as_bytes().eq_ignore_ascii_case(country))
        .map(|(_, l)| *l)
}

fn starts_like_iban(bytes: &[u8], i: usize) -> bool {
    bytes.len() >= i + 4
        && bytes[i].is_ascii_alphabetic()
        && bytes[i + 1].is_ascii_alphabetic()
        && bytes[i + 2].is_ascii_digit()
        && bytes[i + 3].is_ascii_digit()
}

/// Whether the IBAN may start at `i` / end at `end`: no letter or digit of any script
/// directly before or after it.
fn free_before(text: &str, i: usize) -> bool {
    text[..i]
        .chars()
        .next_back()
        .is_none_or(|c| !c.is_alphanumeric())
}

fn free_after(text: &str, end: usize) -> bool {
    text[end..]
        .chars()
        .next()
        .is_none_or(|c| !c.is_alphanumeric())
}

/// ISO 7064 mod 97-10 over the IBAN's characters (spaces skipped): the first four moved to
/// the end, letters as 10–35; valid when the remainder is 1.
pub fn mod97_valid(candidate: &str) -> bool {
    let chars: Vec<u8> = candidate
        .bytes()
        .filter(|b| *b != b' ')
        .map(|b| b.to_ascii_uppercase())
        .collect();
    if chars.len() < 5 || !chars.iter().all(u8::is_ascii_alphanumeric) {
        return false;
    }
    let rearranged = chars[4..].iter().chain(&chars[..4]);
    let mut rest = 0u32;
    for &c in rearranged {
        rest = if c.is_ascii_digit() {
            (rest * 10 + u32::from(c - b'0')) % 97
        } else {
            (rest * 100 + u32::from(c - b'A') + 10) % 97
        };
    }
    rest == 1
}

/// The end of the longest valid IBAN starting at `start`, if any. Candidates end only where
/// a group of letters and digits ends, so a word after the IBAN is never taken in.
fn longest_at(text: &str, start: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let known = length_of(&bytes[start..start + 2]);
    let mut ends = Vec::new();
    let (mut pos, mut total) = (start, 0);
    loop {
        let group = pos;
        while pos < bytes.len() && bytes[pos].is_ascii_alphanumeric() {
            pos += 1;
        }
        total += pos - group;
        if total > MAX_LEN {
            break;
        }
        ends.push((pos, total));
        if pos + 1 < bytes.len() && bytes[pos] == b' ' && bytes[pos + 1].is_ascii_alphanumeric() {
            pos += 1;
        } else {
            break;
        }
    }
    ends.into_iter()
        .rev()
        .filter(|(_, len)| known.map_or((MIN_LEN..=MAX_LEN).contains(len), |k| *len == k))
        .find(|(end, _)| free_after(text, *end) && mod97_valid(&text[start..*end]))
        .map(|(end, _)| end)
}

/// Byte ranges of IBANs in `text`.
pub fn find(text: &str) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        // An ASCII letter at `i` makes `i` a character boundary for the slicing below.
        if starts_like_iban(bytes, i) && free_before(text, i) {
            if let Some(end) = longest_at(text, i) {
                found.push(i..end);
                i = end;
                continue;
            }
        }
        i += 1;
    }
    found
}

/// What an IBAN becomes: the country code and the last four characters stay,
/// e.g. `DE•• •••• •••• •••• •••• 3000`.
pub fn masked(text: &str, range: Range<usize>) -> String {
    let chars: Vec<char> = text[range]
        .chars()
        .filter(|c| *c != ' ')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let country: String = chars.iter().take(2).collect();
    let tail: String = chars[chars.len().saturating_sub(4)..].iter().collect();
    let middle = chars.len().saturating_sub(8).div_ceil(4);
    format!("{country}••{} {tail}", " ••••".repeat(middle))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans(text: &str) -> Vec<&str> {
        find(text).into_iter().map(|r| &text[r]).collect()
    }

    #[test]
    fn mod97_accepts_registry_examples() {
        for iban in [
            "DE89370400440532013000",
            "GB82WEST12345698765432",
            "AT611904300234573201",
            "BE68539007547034",
            "NL91ABNA0417164300",
            "FR1420041010050500013M02606",
            "CH9300762011623852957",
            "NO9386011117947",
        ] {
            assert!(mod97_valid(iban), "{iban}");
            assert_eq!(length_of(&iban.as_bytes()[..2]), Some(iban.len()), "{iban}");
        }
        assert!(!mod97_valid("DE88370400440532013000"), "wrong check digits");
        assert!(!mod97_valid("GB82WEST12345698765433"), "one digit changed");
        assert!(!mod97_valid("AT611904300234573202"));
    }

    #[test]
    fn finds_ibans_with_or_without_spaces_in_any_case() {
        assert_eq!(
            spans("IBAN: DE89 3704 0044 0532 0130 00 bitte"),
            ["DE89 3704 0044 0532 0130 00"]
        );
        assert_eq!(
            spans("meine iban ist de89370400440532013000."),
            ["de89370400440532013000"]
        );
        assert_eq!(spans("GB82WEST12345698765432"), ["GB82WEST12345698765432"]);
        assert_eq!(
            spans("(AT61 1904 3002 3457 3201)"),
            ["AT61 1904 3002 3457 3201"]
        );
        assert_eq!(
            spans("nl91abna0417164300 und CH9300762011623852957"),
            ["nl91abna0417164300", "CH9300762011623852957"]
        );
    }

    #[test]
    fn leaves_wrong_or_embedded_ibans_alone() {
        assert!(
            spans("DE88 3704 0044 0532 0130 00").is_empty(),
            "check digits"
        );
        assert!(spans("GB82WEST12345698765433").is_empty());
        assert!(spans("XDE89370400440532013000").is_empty(), "inside a word");
        assert!(
            spans("DE8937040044053201300012").is_empty(),
            "too long for DE"
        );
        assert!(
            spans("DE89 3704 0044 0532 0130 0012").is_empty(),
            "group runs on"
        );
        assert!(spans("Termin AB12 um 10 Uhr").is_empty());
    }

    #[test]
    fn keeps_country_and_last_four() {
        let text = "DE89 3704 0044 0532 0130 00";
        assert_eq!(masked(text, 0..text.len()), "DE•• •••• •••• •••• •••• 3000");
        let text = "at611904300234573201";
        assert_eq!(masked(text, 0..text.len()), "AT•• •••• •••• •••• 3201");
    }
}
