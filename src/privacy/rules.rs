//! A widget's masking settings and the rules compiled from them. Admin patterns are checked
//! when saved (count, length, syntax, compiled size, never matching empty text) and compiled
//! with the same limits when used. Pure: no database, no I/O.

use regex::{Regex, RegexBuilder};

/// At most this many admin patterns per widget.
pub const MAX_PATTERNS: usize = 20;
/// At most this many characters per pattern.
pub const MAX_PATTERN_CHARS: usize = 200;
/// Compiled size limits, so that a pattern cannot make every message expensive.
const SIZE_LIMIT: usize = 256 * 1024;
const NEST_LIMIT: u32 = 32;

/// What an admin chose for one widget. Without a stored choice, cards and IBANs are masked:
/// privacy by default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MaskingSettings {
    pub cards: bool,
    pub ibans: bool,
    /// Regular expressions, each already validated.
    pub patterns: Vec<String>,
}

impl Default for MaskingSettings {
    fn default() -> Self {
        Self {
            cards: true,
            ibans: true,
            patterns: Vec::new(),
        }
    }
}

/// The rules `mask` applies.
#[derive(Debug, Clone)]
pub struct MaskRules {
    pub cards: bool,
    pub ibans: bool,
    pub patterns: Vec<Regex>,
}

impl Default for MaskRules {
    fn default() -> Self {
        Self {
            cards: true,
            ibans: true,
            patterns: Vec::new(),
        }
    }
}

/// Why an admin pattern was refused; `line` counts the lines of the form field from 1.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PatternError {
    #[error("at most {MAX_PATTERNS} patterns")]
    TooMany,
    #[error("line {line}: longer than {MAX_PATTERN_CHARS} characters")]
    TooLong { line: usize },
    #[error("line {line}: not a valid regular expression: {reason}")]
    Invalid { line: usize, reason: String },
    #[error("line {line}: can match empty text")]
    MatchesEmpty { line: usize },
}

impl PatternError {
    /// The i18n key of the message shown next to the field.
    pub fn key(&self) -> &'static str {
        match self {
            Self::TooMany => "masking.error.too_many",
            Self::TooLong { .. } => "masking.error.too_long",
            Self::Invalid { .. } => "masking.error.invalid",
            Self::MatchesEmpty { .. } => "masking.error.matches_empty",
        }
    }

    /// The placeholders of the message.
    pub fn values(&self) -> Vec<(&'static str, String)> {
        let mut values = vec![
            ("max_patterns", MAX_PATTERNS.to_string()),
            ("max_chars", MAX_PATTERN_CHARS.to_string()),
        ];
        match self {
            Self::TooMany => {}
            Self::TooLong { line } | Self::MatchesEmpty { line } => {
                values.push(("line", line.to_string()));
            }
            Self::Invalid { line, reason } => {
                values.push(("line", line.to_string()));
                values.push(("reason", reason.clone()));
            }
        }
        values
    }
}

/// The one-line cause of a regex error (the crate's message repeats the pattern with
/// carets over several lines).
fn reason_of(error: &regex::Error) -> String {
    match error {
        regex::Error::CompiledTooBig(_) => "too complex".into(),
        other => {
            let text = other.to_string();
            text.lines()
                .rev()
                .find_map(|l| l.trim().strip_prefix("error:"))
                .map_or(text.clone(), |l| l.trim().to_string())
        }
    }
}

/// Compiles one pattern with the size limits; `line` is for the error.
pub fn compile(pattern: &str, line: usize) -> Result<Regex, PatternError> {
    if pattern.chars().count() > MAX_PATTERN_CHARS {
        return Err(PatternError::TooLong { line });
    }
    let invalid = |e: &regex::Error| PatternError::Invalid {
        line,
        reason: reason_of(e),
    };
    let regex = RegexBuilder::new(pattern)
        .size_limit(SIZE_LIMIT)
        .dfa_size_limit(SIZE_LIMIT)
        .nest_limit(NEST_LIMIT)
        .build()
        .map_err(|e| invalid(&e))?;
    // Parsed with the same (default) syntax the regex crate uses: a pattern that can match
    // empty text would put the mask between every two characters.
    let hir = regex_syntax::ParserBuilder::new()
        .nest_limit(NEST_LIMIT)
        .build()
        .parse(pattern)
        .map_err(|e| PatternError::Invalid {
            line,
            reason: e.to_string().lines().last().unwrap_or_default().into(),
        })?;
    if hir.properties().minimum_len() == Some(0) {
        return Err(PatternError::MatchesEmpty { line });
    }
    Ok(regex)
}

/// The patterns of the form field: one per line, blank lines skipped, surrounding spaces
/// trimmed (write `\s` or `[ ]` for a space at either end).
pub fn parse_patterns(field: &str) -> Result<Vec<String>, PatternError> {
    let mut patterns = Vec::new();
    for (i, raw) in field.lines().enumerate() {
        let pattern = raw.trim();
        if pattern.is_empty() {
            continue;
        }
        if patterns.len() == MAX_PATTERNS {
            return Err(PatternError::TooMany);
        }
        compile(pattern, i + 1)?;
        patterns.push(pattern.to_string());
    }
    Ok(patterns)
}

impl MaskingSettings {
    /// Compiles the rules. Stored patterns were validated when saved; one that fails now
    /// (e.g. stricter limits after an upgrade) is an error, never silently skipped.
    pub fn rules(&self) -> Result<MaskRules, PatternError> {
        let patterns = self
            .patterns
            .iter()
            .enumerate()
            .map(|(i, p)| compile(p, i + 1))
            .collect::<Result<_, _>>()?;
        Ok(MaskRules {
            cards: self.cards,
            ibans: self.ibans,
            patterns,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_patterns() {
        let parsed = parse_patterns("KD-\\d{6}\r\n\n  (?i)kundennummer \\d+  \n").unwrap();
        assert_eq!(parsed, ["KD-\\d{6}", "(?i)kundennummer \\d+"]);
        let rules = MaskingSettings {
            cards: false,
            ibans: true,
            patterns: parsed,
        }
        .rules()
        .unwrap();
        assert!(rules.patterns[0].is_match("KD-123456"));
    }

    #[test]
    fn refuses_bad_patterns_naming_the_line() {
        assert!(matches!(
            parse_patterns("ok\n(unclosed"),
            Err(PatternError::Invalid { line: 2, .. })
        ));
        assert_eq!(
            parse_patterns("a*"),
            Err(PatternError::MatchesEmpty { line: 1 })
        );
        assert_eq!(
            parse_patterns("x\n\n\\b"),
            Err(PatternError::MatchesEmpty { line: 3 })
        );
        assert_eq!(
            parse_patterns("^|x"),
            Err(PatternError::MatchesEmpty { line: 1 })
        );
        assert_eq!(
            parse_patterns(&"a".repeat(MAX_PATTERN_CHARS + 1)),
            Err(PatternError::TooLong { line: 1 })
        );
        let many = vec!["x"; MAX_PATTERNS + 1].join("\n");
        assert_eq!(parse_patterns(&many), Err(PatternError::TooMany));
        assert!(
            matches!(
                parse_patterns("\\w{1000}\\w{1000}\\w{1000}"),
                Err(PatternError::Invalid { line: 1, .. })
            ),
            "too big when compiled"
        );
    }

    #[test]
    fn error_reasons_are_one_line() {
        let Err(PatternError::Invalid { reason, .. }) = parse_patterns("(unclosed") else {
            panic!("expected a syntax error");
        };
        assert!(!reason.contains('\n') && !reason.is_empty(), "{reason}");
    }

    #[test]
    fn defaults_mask_cards_and_ibans() {
        let s = MaskingSettings::default();
        assert!(s.cards && s.ibans && s.patterns.is_empty());
    }
}
