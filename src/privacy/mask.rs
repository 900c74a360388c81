//! Replaces what must not be stored or shown: payment card numbers (last four digits
//! stay), IBANs (country and last four stay) and admin-defined patterns (`•••`). Numbers
//! that fail their check are left alone. Pure: no database, no I/O; never logs text.

use super::rules::MaskRules;
use super::{cards, iban};
use std::ops::Range;

/// What was masked; the visitor is told which kinds, never what.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MaskKind {
    Card,
    Iban,
    Pattern,
}

impl MaskKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Card => "card",
            Self::Iban => "iban",
            Self::Pattern => "pattern",
        }
    }
}

/// The text as it may be stored and shown, and what kinds were replaced (sorted, once each).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Masked {
    pub text: String,
    pub kinds: Vec<MaskKind>,
}

/// What an admin pattern's match becomes.
pub const PATTERN_MASK: &str = "•••";

/// Rebuilds `text` with each (sorted, disjoint) range replaced.
fn replace(text: &str, ranges: &[Range<usize>], with: impl Fn(Range<usize>) -> String) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for r in ranges {
        out.push_str(&text[last..r.start]);
        out.push_str(&with(r.clone()));
        last = r.end;
    }
    out.push_str(&text[last..]);
    out
}

/// Masks `text` by `rules`: IBANs first (their digits could otherwise pass as a card
/// number), then cards, then the admin patterns on what is left.
pub fn mask(text: &str, rules: &MaskRules) -> Masked {
    let mut kinds = Vec::new();
    let mut current = text.to_string();
    if rules.ibans {
        let found = iban::find(&current);
        if !found.is_empty() {
            current = replace(&current, &found, |r| iban::masked(&current, r));
            kinds.push(MaskKind::Iban);
        }
    }
    if rules.cards {
        let found = cards::find(&current);
        if !found.is_empty() {
            current = replace(&current, &found, |r| cards::masked(&current, r));
            kinds.push(MaskKind::Card);
        }
    }
    for pattern in &rules.patterns {
        // Empty matches are refused when a pattern is saved; skipped here all the same.
        let found: Vec<Range<usize>> = pattern
            .find_iter(&current)
            .map(|m| m.range())
            .filter(|r| !r.is_empty())
            .collect();
        if !found.is_empty() {
            current = replace(&current, &found, |_| PATTERN_MASK.to_string());
            kinds.push(MaskKind::Pattern);
        }
    }
    kinds.sort();
    kinds.dedup();
    Masked {
        text: current,
        kinds,
    }
}

/// Digits in a typing preview are usually half typed, so no check can pass yet: while
/// cards or IBANs are masked, every run of six or more digits (groups joined by single
/// spaces or dashes) is hidden from the preview as well.
pub fn mask_preview(text: &str, rules: &MaskRules) -> String {
    let masked = mask(text, rules).text;
    if !(rules.cards || rules.ibans) {
        return masked;
    }
    let runs = cards::digit_runs(&masked, 6);
    replace(&masked, &runs, |_| PATTERN_MASK.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::privacy::rules::MaskingSettings;

    fn all() -> MaskRules {
        MaskRules::default()
    }

    #[test]
    fn masks_cards_keeping_the_last_four() {
        let m = mask("Meine Karte: 4242 4242 4242 4242, danke", &all());
        assert_eq!(m.text, "Meine Karte: •••• •••• •••• 4242, danke");
        assert_eq!(m.kinds, [MaskKind::Card]);
        let m = mask("4111-1111-1111-1111 und 378282246310005", &all());
        assert_eq!(m.text, "•••• •••• •••• 1111 und •••• •••• •••• 0005");
    }

    #[test]
    fn masks_ibans_keeping_country_and_last_four() {
        let m = mask("IBAN DE89 3704 0044 0532 0130 00.", &all());
        assert_eq!(m.text, "IBAN DE•• •••• •••• •••• •••• 3000.");
        assert_eq!(m.kinds, [MaskKind::Iban]);
        let m = mask("gb82west12345698765432 / AT611904300234573201", &all());
        assert_eq!(
            m.text,
            "GB•• •••• •••• •••• •••• 5432 / AT•• •••• •••• •••• 3201"
        );
    }

    #[test]
    fn leaves_failing_numbers_and_ordinary_text_alone() {
        for text in [
            "4242 4242 4242 4241",
            "DE88 3704 0044 0532 0130 00",
            "GB82WEST12345698765433",
            "Bestellung 4711, Rückruf unter 0301234567",
            "12345678901234567890123",
        ] {
            let m = mask(text, &all());
            assert_eq!((m.text.as_str(), m.kinds.len()), (text, 0), "{text}");
        }
    }

    #[test]
    fn switched_off_kinds_stay() {
        let rules = MaskRules {
            cards: false,
            ibans: false,
            patterns: vec![],
        };
        let text = "4242424242424242 DE89370400440532013000";
        assert_eq!(mask(text, &rules).text, text);
        let cards_only = MaskRules {
            ibans: false,
            ..all()
        };
        assert_eq!(
            mask(text, &cards_only).text,
            "•••• •••• •••• 4242 DE89370400440532013000"
        );
    }

    #[test]
    fn admin_patterns_become_dots() {
        let rules = MaskingSettings {
            patterns: vec!["KD-\\d{6}".into(), "(?i)geheim\\w*".into()],
            ..Default::default()
        }
        .rules()
        .unwrap();
        let m = mask(
            "Kunde KD-123456, Passwort GEHEIMWORT, Karte 4242424242424242",
            &rules,
        );
        assert_eq!(m.text, "Kunde •••, Passwort •••, Karte •••• •••• •••• 4242");
        assert_eq!(m.kinds, [MaskKind::Card, MaskKind::Pattern]);
    }

    #[test]
    fn masking_twice_changes_nothing_more() {
        let once = mask("4242424242424242 DE89370400440532013000", &all());
        let twice = mask(&once.text, &all());
        assert_eq!((twice.text, twice.kinds.len()), (once.text, 0));
    }

    #[test]
    fn keeps_other_characters_intact() {
        let m = mask("Grüße 🙂 4242424242424242 ✓ Straße", &all());
        assert_eq!(m.text, "Grüße 🙂 •••• •••• •••• 4242 ✓ Straße");
    }

    #[test]
    fn preview_hides_half_typed_numbers() {
        assert_eq!(mask_preview("Karte 4242 4242 42", &all()), "Karte •••");
        assert_eq!(mask_preview("Bestellung 4711", &all()), "Bestellung 4711");
        let off = MaskRules {
            cards: false,
            ibans: false,
            patterns: vec![],
        };
        assert_eq!(mask_preview("4242 4242 42", &off), "4242 4242 42");
    }
}
