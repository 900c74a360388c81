//! Payment card numbers in free text: 13–19 digits passing the Luhn check, written
//! together or in groups joined by single spaces or dashes. Pure: no I/O. Never logs the
//! text it reads.

use std::ops::Range;

const MIN_DIGITS: usize = 13;
const MAX_DIGITS: usize = 19;

/// A maximal run of ASCII digits, by byte offsets.
#[derive(Debug, Clone, Copy)]
struct Group {
    start: usize,
    end: usize,
}

impl Group {
    fn len(self) -> usize {
        self.end - self.start
    }
}

/// Whole digit groups joined by single separators. A group is never split: digits inside a
/// longer run of digits are not a card number on their own.
fn runs(text: &str) -> Vec<Vec<Group>> {
    let bytes = text.as_bytes();
    let mut runs = Vec::new();
    let mut current: Vec<Group> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        current.push(Group { start, end: i });
        let joined =
            i + 1 < bytes.len() && matches!(bytes[i], b' ' | b'-') && bytes[i + 1].is_ascii_digit();
        if joined {
            i += 1;
        } else {
            runs.push(std::mem::take(&mut current));
        }
    }
    runs
}

/// Byte ranges of runs (groups joined by single separators) with at least `min` digits.
pub fn digit_runs(text: &str, min: usize) -> Vec<Range<usize>> {
    runs(text)
        .into_iter()
        .filter(|run| run.iter().map(|g| g.len()).sum::<usize>() >= min)
        .filter_map(|run| Some(run.first()?.start..run.last()?.end))
        .collect()
}

/// The Luhn check over ASCII digits (separators skipped).
pub fn luhn(digits: &[u8]) -> bool {
    let mut sum = 0u32;
    for (i, d) in digits.iter().rev().enumerate() {
        let mut v = u32::from(d - b'0');
        if i % 2 == 1 {
            v *= 2;
            if v > 9 {
                v -= 9;
            }
        }
        sum += v;
    }
    sum % 10 == 0
}

fn digits_of(text: &str, range: Range<usize>) -> Vec<u8> {
    text.as_bytes()[range]
        .iter()
        .copied()
        .filter(u8::is_ascii_digit)
        .collect()
}

/// Byte ranges of card numbers in `text`. From each group on, the longest span of whole
/// groups with 13–19 digits that passes Luhn wins (masking a digit too many is the safe
/// mistake); what follows it is searched again.
pub fn find(text: &str) -> Vec<Range<usize>> {
    let mut found = Vec::new();
    for run in runs(text) {
        let mut first = 0;
        while first < run.len() {
            let mut best = None;
            let mut count = 0;
            for (last, group) in run.iter().enumerate().skip(first) {
                count += group.len();
                if count > MAX_DIGITS {
                    break;
                }
                let range = run[first].start..group.end;
                if count >= MIN_DIGITS && luhn(&digits_of(text, range.clone())) {
                    best = Some((last, range));
                }
            }
            match best {
                Some((last, range)) => {
                    found.push(range);
                    first = last + 1;
                }
                None => first += 1,
            }
        }
    }
    found
}

/// What a card number becomes: only the last four digits stay.
pub fn masked(text: &str, range: Range<usize>) -> String {
    let digits = digits_of(text, range);
    let tail = String::from_utf8_lossy(&digits[digits.len().saturating_sub(4)..]).into_owned();
    format!("•••• •••• •••• {tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans(text: &str) -> Vec<&str> {
        find(text).into_iter().map(|r| &text[r]).collect()
    }

    #[test]
    fn luhn_accepts_test_numbers_and_refuses_near_misses() {
        assert!(luhn(b"4242424242424242"));
        assert!(luhn(b"4111111111111111"));
        assert!(luhn(b"378282246310005"));
        assert!(luhn(b"5555555555554444"));
        assert!(!luhn(b"4242424242424241"));
        assert!(!luhn(b"4111111111111112"));
        assert!(!luhn(b"378282246310006"));
    }

    #[test]
    fn finds_cards_written_together_or_grouped() {
        assert_eq!(
            spans("Karte 4242 4242 4242 4242 bitte"),
            ["4242 4242 4242 4242"]
        );
        assert_eq!(spans("4111-1111-1111-1111."), ["4111-1111-1111-1111"]);
        assert_eq!(spans("Amex 378282246310005!"), ["378282246310005"]);
        assert_eq!(spans("amex 3782 822463 10005"), ["3782 822463 10005"]);
        assert_eq!(
            spans("a 4242424242424242 and 5555555555554444"),
            ["4242424242424242", "5555555555554444"]
        );
        // 13 and 19 digits, the bounds.
        assert_eq!(spans("4222222222222"), ["4222222222222"]);
        assert_eq!(spans("4000000000000000006"), ["4000000000000000006"]);
    }

    #[test]
    fn leaves_near_misses_and_other_numbers_alone() {
        assert!(spans("4242 4242 4242 4241").is_empty(), "fails Luhn");
        assert!(spans("4111-1111-1111-1112").is_empty());
        assert!(spans("378282246310006").is_empty());
        assert!(spans("Bestellung 123456, Tel. 030 1234567").is_empty());
        assert!(spans("424242424242").is_empty(), "12 digits");
        assert!(spans("42424242424242424242").is_empty(), "20 digits");
        // Two separators in a row break the run.
        assert!(spans("4242  4242  4242  4242").is_empty());
        assert!(spans("4242--4242--4242--4242").is_empty());
    }

    #[test]
    fn never_masks_part_of_a_longer_digit_run() {
        // A valid card number inside a longer run of digits is not a card number.
        assert!(
            spans("1234542424242424242").is_empty(),
            "19 digits, Luhn fails"
        );
        assert!(spans("00004242424242424242").is_empty());
        assert!(spans("42424242424242420000").is_empty());
    }

    #[test]
    fn a_card_next_to_other_groups_is_still_found() {
        assert_eq!(
            spans("4242 4242 4242 4242 12/26"),
            ["4242 4242 4242 4242"],
            "expiry after it"
        );
        assert_eq!(
            spans("Nr. 12345 4242424242424242"),
            ["4242424242424242"],
            "order number before it"
        );
    }

    #[test]
    fn keeps_the_last_four_digits() {
        let text = "x 4111-1111-1111-1111 y";
        let range = find(text)[0].clone();
        assert_eq!(masked(text, range), "•••• •••• •••• 1111");
    }
}
